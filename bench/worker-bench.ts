/**
 * Worker figures for npm run bench: bundle size, startup and per-request CPU.
 *
 * workerd freezes its clocks while a request or the startup runs (a Spectre
 * mitigation), so the Worker cannot time itself. Instead:
 * - bundle size: what `wrangler deploy --dry-run` reports (gzip), per corpus;
 * - startup: the Worker's global-scope work (JSON.parse of the content text
 *   module, then indexFromBundle) timed in a fresh Node process (same V8); and,
 *   in real workerd, the difference in start-to-first-answer time between the
 *   10k bundle and the sample bundle;
 * - CPU per uncached feed: the app's fetch() in Node with distinct URLs; and,
 *   in workerd through Miniflare, the wall time of an uncached feed (HEAD, which
 *   bypasses the edge cache) minus that of a preflight that does no work.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { type ContentBundle, indexFromBundle } from "../src/sources/bundle.js";
import { median } from "./stats.js";

const bin = (name: string) => join("node_modules", ".bin", name);

export interface WorkerFigures {
  articles: number;
  gzipKiB: number;
  totalKiB: number;
  bundleDir: string;
}

/** Builds the content module for a data folder and bundles the Worker with it, as a deploy would. */
/**
 * With `deferStartup`, the entry builds the Worker on its first request instead of at load, and answers
 * /__noop without building it: the same modules and content, minus the start-up work. With
 * `cacheRenders: false` the Worker renders every request, so a request can be timed as a render.
 */
export function bundleWorker(
  dataDir: string,
  workDir: string,
  { deferStartup = false, cacheRenders = true } = {},
): WorkerFigures {
  mkdirSync(workDir, { recursive: true });
  const content = join(workDir, "content.txt");
  const build = execFileSync(
    process.execPath,
    ["--import", "tsx", "src/cli/build.ts", "--data", dataDir, "--out", content],
    {
      encoding: "utf8",
      env: { ...process.env, FEEDLOOM_CACHE_DIR: join(workDir, "parse-cache") },
    },
  );
  const articles = Number(/(?:wrote|kept) .*?: (\d+) articles/.exec(build)?.[1]);
  // The same Worker as src/entry/worker.ts, over this content.
  const imports = `import json from "./content.txt";\nimport { createWorker } from ${JSON.stringify(resolve("src/entry/worker-app.ts"))};\n`;
  const create = `createWorker(json, { cacheRenders: ${cacheRenders} })`;
  const deferred = `let worker;\nexport default { fetch(request, env, ctx) {\n  if (request.url.endsWith("/__noop")) return new Response("ok");\n  worker ??= ${create};\n  return worker.fetch(request, env, ctx);\n} };\n`;
  const bundled = wranglerBundle(
    workDir,
    imports + (deferStartup ? deferred : `export default ${create};\n`),
  );
  return { articles, ...bundled };
}

/**
 * A Worker entry of its own (written into workDir), bundled by wrangler as a deploy would, with the
 * repository's wrangler.toml (its compatibility date and flags): into workDir/dist, with its size.
 */
export function wranglerBundle(
  workDir: string,
  entrySource: string,
): { totalKiB: number; gzipKiB: number; bundleDir: string } {
  const dist = join(workDir, "dist");
  const entry = join(workDir, "worker.ts");
  writeFileSync(entry, entrySource);
  const config = join(workDir, "wrangler.toml");
  writeFileSync(
    config,
    readFileSync("wrangler.toml", "utf8").replace(
      /^main = .*$/m,
      `main = ${JSON.stringify(entry)}`,
    ),
  );
  const output = execFileSync(
    bin("wrangler"),
    ["deploy", "--dry-run", "--config", config, "--outdir", dist],
    {
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  const [, total, gzip] = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output) ?? [];
  return { totalKiB: Number(total), gzipKiB: Number(gzip), bundleDir: dist };
}

/** The flags the Worker is deployed with (wrangler.toml): Miniflare runs it with the same. */
export const WORKER_FLAGS = JSON.parse(
  /^compatibility_flags = (.*)$/m.exec(readFileSync("wrangler.toml", "utf8"))![1],
) as string[];

/**
 * Child process: the Worker's start-up work (JSON.parse of the text module and
 * indexFromBundle) and its per-request work (the app's fetch, no edge cache)
 * timed in Node, whose clock runs. Prints JSON.
 */
export async function timeBundleInNode(bundleDir: string): Promise<void> {
  const text = readFileSync(
    join(
      bundleDir,
      readdirSync(bundleDir).find((name) => name.endsWith(".txt"))!,
    ),
    "utf8",
  );
  const started = performance.now();
  const index = indexFromBundle(JSON.parse(text) as ContentBundle);
  const startupMs = performance.now() - started;
  const app = createApp({
    store: createMemoryStore(index, "bench", { now: Date.now }),
    config: loadConfig({}),
  });
  const times: Record<string, number[]> = { rss: [], atom: [], json: [] };
  for (let i = 0; i < 300; i++) {
    for (const format of Object.keys(times)) {
      const t = performance.now();
      const response = await app.fetch(
        new Request(`http://127.0.0.1:8787/feed.${format}?page=${1 + (i % 5)}`),
      );
      await response.text();
      times[format].push(performance.now() - t);
    }
  }
  console.log(
    JSON.stringify({
      startupMs,
      ...Object.fromEntries(
        Object.entries(times).map(([format, list]) => [format, median(list.slice(50))]),
      ),
    }),
  );
}

function miniflareFor(bundleDir: string): Miniflare {
  const main = readFileSync(join(bundleDir, "worker.js"), "utf8");
  const text = readdirSync(bundleDir).find((name) => name.endsWith(".txt"))!;
  return new Miniflare({
    modules: [
      { type: "ESModule", path: join(bundleDir, "worker.js"), contents: main },
      {
        type: "Text",
        path: join(bundleDir, text),
        contents: readFileSync(join(bundleDir, text), "utf8"),
      },
    ],
    modulesRoot: bundleDir,
    compatibilityDate: readFileSync("wrangler.toml", "utf8").match(
      /compatibility_date = "([^"]+)"/,
    )![1],
    compatibilityFlags: WORKER_FLAGS,
  });
}

/** Time from creating workerd to its first answer. */
async function firstAnswerMs(bundleDir: string, path: string): Promise<number> {
  const started = performance.now();
  const mf = miniflareFor(bundleDir);
  await (await mf.dispatchFetch(`http://127.0.0.1${path}`, { method: "OPTIONS" })).text();
  const elapsed = performance.now() - started;
  await mf.dispose();
  return elapsed;
}

/**
 * What start-up work costs inside workerd: the first-answer time of a bundle
 * minus that of the same bundle with its start-up deferred, measured in
 * alternation (workerd's own boot varies by tens of ms), median of the differences.
 */
export async function workerdStartupMs(
  bundleDir: string,
  deferredDir: string,
  rounds = 9,
): Promise<{ differenceMs: number; withMs: number; withoutMs: number }> {
  const differences: number[] = [];
  const withWork: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const a = await firstAnswerMs(bundleDir, "/");
    const b = await firstAnswerMs(deferredDir, "/__noop");
    withWork.push(a);
    without.push(b);
    differences.push(a - b);
  }
  return {
    differenceMs: median(differences),
    withMs: median(withWork),
    withoutMs: median(without),
  };
}

/**
 * The bundle (built with cacheRenders: false) in workerd: per-request wall time from Node for a feed
 * (HEAD skips the edge cache, so every one renders) and for a preflight (no work).
 */
export async function timeBundleInWorkerd(
  bundleDir: string,
  pathOf = (i: number) => `/feed.rss?page=${1 + (i % 5)}`,
): Promise<{ feedMs: number; baselineMs: number }> {
  const mf = miniflareFor(bundleDir);
  try {
    const feed: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < 300; i++) {
      let t = performance.now();
      await (await mf.dispatchFetch(`http://127.0.0.1${pathOf(i)}`, { method: "HEAD" })).text();
      feed.push(performance.now() - t);
      t = performance.now();
      await (await mf.dispatchFetch("http://127.0.0.1/feed.rss", { method: "OPTIONS" })).text();
      baseline.push(performance.now() - t);
    }
    return { feedMs: median(feed.slice(50)), baselineMs: median(baseline.slice(50)) };
  } finally {
    await mf.dispose();
  }
}

export function cleanUp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
