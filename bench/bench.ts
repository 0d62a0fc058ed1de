/**
 * `npm run bench`: prints figures, asserts nothing. Each corpus size is loaded
 * in a child process so that its peak memory is its own.
 *   load+index: read N files from disk, parse, validate, index (target 10k <= 0.5 s)
 *   render: median of one 50-item feed per format at 10k (target <= 1 ms)
 *   load: requests/s for a cached 50-item feed, gzip negotiated, through the
 *         server's fast path, and through the router alone, vs a bare node:http
 *         server sending the same bytes (target >= 90%)
 *   misses: requests/s and p99 when no request hits the render cache (miss-load.ts)
 *   flood: a flood of distinct uncached URLs while a reader polls a cached feed, with load shedding and without
 *   d1: a local D1 with 100,000 articles: sync and publish times, rows read and latency per feed (d1-bench.ts)
 *   embed: embed.js gzipped, and the time to a rendered widget in Chromium (embed-bench.ts)
 *   stats: requests/s of a cached feed with subscriber counting on and off, wrk side by side
 *   federation: deliveries per second to 200 follower servers, and a cached feed with federation on and off
 *   export: a cold and a warm (one new article) static export at 10k and 50k, against Hugo when it is installed (export-bench.ts)
 *   scale: at 10k and 100k on Node, start-up cold and warm, memory, one feed's render, a cold and a one-article export (scale-bench.ts)
 *   live: a file's write to its appearance in /feed.rss at 10k and 50k, reload time, memory over 200 reloads (live-bench.ts)
 *   api: articles per second the publishing API accepts, one at a time and in batches, and a cached
 *        reader's p99 while a batch of 1,000 is applied (api-bench.ts)
 *   digest: an uncached daily digest at 10k articles, on Node and in workerd
 * `npm run bench -- load`, `-- live [count]`, `-- misses`, `-- flood`, `-- digest`, `-- d1 [count]`, `-- embed`, `-- stats`, `-- federation`, `-- export [count]` or `-- scale [count]` runs only that part.
 */
import autocannon from "autocannon";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, loadStatsConfig } from "../src/config.js";
import { countingFetch, nodeStatistics } from "../src/stats/node-stats.js";
import { createApp } from "../src/http/app.js";
import { buildFeed } from "../src/feeds/model.js";
import { type FeedFormat, FORMAT_NAMES } from "../src/scheme/paths.js";
import { renderFeed } from "../src/feeds/render.js";
import { createMemoryStore } from "../src/index/store.js";
import { type ContentBundle, indexFromBundle } from "../src/sources/bundle.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { writeCorpus } from "./corpus.js";
import { d1Figures } from "./d1-bench.js";
import { embedFigures } from "./embed-bench.js";
import { exportFigures } from "./export-bench.js";
import { liveFigures } from "./live-bench.js";
import { apiFigures } from "./api-bench.js";
import { scaleFigures } from "./scale-bench.js";
import { deliveryFigures } from "./federation-bench.js";
import { floodFigure, hasWrk, missLoadFigure } from "./miss-load.js";
import {
  bundleWorker,
  cleanUp,
  timeBundleInNode,
  timeBundleInWorkerd,
  workerdStartupMs,
} from "./worker-bench.js";
import { median } from "./stats.js";

const SIZES = [1_000, 10_000, 50_000];

/** Child: load one corpus, print JSON figures (and render medians at 10k). */
async function child(count: number, dir: string): Promise<void> {
  // Beside the corpus, never inside a data folder.
  const cacheDir = `${dir}.parse-cache`;
  const started = performance.now();
  const result = await loadIndexFromDir(dir, {
    includeUnpublished: false,
    cacheDir,
    now: Date.now(),
  });
  const loadMs = performance.now() - started;
  const warmStarted = performance.now();
  await loadIndexFromDir(dir, { includeUnpublished: false, cacheDir, now: Date.now() });
  const warmMs = performance.now() - warmStarted;
  const figures: Record<string, number> = {
    loadMs,
    warmMs,
    articles: result.index.articles.length,
    topics: result.index.topics.size,
    providers: result.index.providers.size,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
  };
  if (count === 10_000) {
    const config = loadConfig({});
    const store = createMemoryStore(result.index, "bench", { now: Date.now });
    for (const format of FORMAT_NAMES as FeedFormat[]) {
      const times: number[] = [];
      for (let i = 0; i < 500; i++) {
        const t = performance.now();
        const query = { limit: 50, page: 1 + (i % 5) };
        const feed = buildFeed({ kind: "all" }, await store.slice({ kind: "all" }, query), query, {
          config,
          origin: "http://127.0.0.1:8787",
        });
        renderFeed(feed, format);
        times.push(performance.now() - t);
      }
      figures[`render_${format}_ms`] = median(times.slice(100));
    }
    // The daily digest of "AI" through the app with no render cache: 30 days read from the store, split, ranked and
    // rendered. "Now" is a day after the corpus's newest article, so that its last 30 days are full.
    const digestNow = Date.parse(result.index.articles[0].published) + 86_400_000;
    const digestApp = createApp({
      store: createMemoryStore(result.index, "bench", { now: () => digestNow }),
      config,
    });
    const digestTimes: number[] = [];
    let digestItems = 0;
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      const body = await (
        await digestApp.request("http://127.0.0.1/topics/ai/digest/daily.rss")
      ).text();
      digestTimes.push(performance.now() - t);
      digestItems = body.split("<item>").length - 1;
    }
    figures.digest_ms = median(digestTimes.slice(50));
    figures.digest_items = digestItems;
    figures.digest_stories = (
      await createMemoryStore(result.index, "bench", { now: () => digestNow }).publishedBetween(
        { kind: "topic", key: "ai" },
        digestNow - 31 * 86_400_000,
        digestNow,
      )
    ).length;
  }
  console.log(JSON.stringify(figures));
}

const LOAD_SECONDS = 5;

/** Starts bench/server.ts in one mode; `stop` ends it. */
async function startLoadServer(
  mode: "app" | "app-router" | "bare" | "app-counted" | "app-federated",
  dir: string,
  path: string,
): Promise<{ url: string; stop: () => void }> {
  const server = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(new URL("./server.ts", import.meta.url)), mode, dir, path],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = (await once(server.stdout!, "data")) as [Buffer];
  const { port } = JSON.parse(line.toString());
  return { url: `http://127.0.0.1:${port}${path}`, stop: () => server.kill("SIGTERM") };
}

/** autocannon from this process, 32 connections. */
async function autocannonRps(url: string): Promise<{ rps: number; errors: number }> {
  const options = { url, connections: 32, headers: { "accept-encoding": "gzip" } };
  await autocannon({ ...options, duration: 1 }); // warm-up: JIT, and the app renders and compresses once
  const result = await autocannon({ ...options, duration: LOAD_SECONDS });
  return { rps: result.requests.average, errors: result.errors + result.non2xx };
}

/** wrk (Debian's), the neutral cross-check: two threads, 64 connections. */
function wrkRps(url: string, userAgent?: string): { rps: number; errors: number } {
  const output = execFileSync(
    "wrk",
    [
      "-t2",
      "-c64",
      `-d${LOAD_SECONDS}s`,
      "-H",
      "Accept-Encoding: gzip",
      ...(userAgent ? ["-H", `User-Agent: ${userAgent}`] : []),
      url,
    ],
    { encoding: "utf8" },
  );
  const errors =
    Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0) +
    (/Socket errors/.test(output) ? 1 : 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]), errors };
}

const LOAD_LABELS = {
  bare: "bare node:http, same bytes",
  app: "feedloom (fast path)",
  "app-router": "feedloom, router only",
} as const;

async function loadFigure(): Promise<void> {
  const dir = writeCorpus(10_000);
  const tools: {
    name: string;
    measure: (
      url: string,
    ) => Promise<{ rps: number; errors: number }> | { rps: number; errors: number };
  }[] = [{ name: "autocannon -c32", measure: autocannonRps }];
  if (hasWrk()) tools.push({ name: "wrk -t2 -c64", measure: wrkRps });
  try {
    const path = "/feed.rss";
    console.log(
      `\nload: GET ${path} (50 items, gzip), 10k articles, ${LOAD_SECONDS} s a run on 127.0.0.1, autocannon and wrk against the same server,`,
    );
    console.log(
      "three rounds, in alternating order, since the load tool shares this machine's two cores with the server:",
    );
    const totals = new Map(tools.map((tool) => [tool.name, { bare: 0, app: 0, "app-router": 0 }]));
    for (const round of [1, 2, 3]) {
      const order = ["bare", "app", "app-router"] as const;
      for (const mode of round % 2 ? order : ([...order].reverse() as (typeof order)[number][])) {
        const server = await startLoadServer(mode, dir, path);
        try {
          for (const tool of tools) {
            const figures = await tool.measure(server.url);
            totals.get(tool.name)![mode] += figures.rps;
            const label = LOAD_LABELS[mode];
            console.log(
              `  round ${round}  ${tool.name.padEnd(16)} ${label.padEnd(27)} ${figures.rps.toFixed(0).padStart(7)} req/s  (${figures.errors} errors)`,
            );
          }
        } finally {
          server.stop();
        }
      }
    }
    for (const [name, total] of totals)
      console.log(
        `  app / bare over three rounds, ${name.padEnd(16)} ${((total.app / total.bare) * 100).toFixed(0).padStart(4)} %   (target >= 90 %); the router alone: ${((total["app-router"] / total.bare) * 100).toFixed(0)} %`,
      );
    if (tools.length === 1)
      console.log(
        "  wrk                           not on the PATH (apt-get install wrk) for the cross-check",
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What counting subscribers costs a cached feed: the app with statistics on
 * against the app with them off, measured with wrk alone, side by side in
 * alternating rounds, as a reader (newsboat) and as an aggregator (Feedly).
 */
const AGENTS = {
  reader: "Newsboat/2.36 (Linux x86_64)",
  aggregator: "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )",
};

/** What federation costs the feeds (nothing is in their path: the target is within noise), and how fast it delivers. */
async function federationFigure(): Promise<void> {
  await deliveryFigures();
  await sideBySide("federation", "federation", "app-federated", { reader: AGENTS.reader });
}

async function statsFigure(): Promise<void> {
  await sideBySide("stats", "counting", "app-counted", AGENTS, async (agent) =>
    console.log(
      `  in-process, what counting adds to one request (the fetch wrapper and a repeat's count): ${(await countingCostNs(agent)).toFixed(0)} ns`,
    ),
  );
}

/**
 * A cached /feed.rss with a feature on (`mode`) and off, wrk side by side in
 * alternating rounds, for each user agent; `after` prints what else there is to say per agent.
 */
async function sideBySide(
  label: string,
  feature: string,
  on: "app-counted" | "app-federated",
  agents: Record<string, string>,
  after?: (agent: string) => Promise<void>,
): Promise<void> {
  if (!hasWrk()) return console.log(`\n${label}: wrk not on the PATH (apt-get install wrk)`);
  const dir = writeCorpus(10_000);
  const path = "/feed.rss";
  try {
    console.log(
      `\n${label}: GET ${path} (cached, gzip) with ${feature} on and off, wrk -t2 -c64 ${LOAD_SECONDS} s, three alternating rounds (target: on within 5 % of off)`,
    );
    for (const [who, agent] of Object.entries(agents)) {
      const totals: Record<string, number> = { app: 0, [on]: 0 };
      for (const round of [1, 2, 3]) {
        for (const mode of round % 2 ? (["app", on] as const) : ([on, "app"] as const)) {
          const server = await startLoadServer(mode, dir, path);
          try {
            wrkRps(server.url, agent); // warm-up: the render, the JIT, and today's first count
            // Then idle, both modes alike, while V8 finishes compiling in the background (sql.js's WebAssembly
            // tiers up for seconds after the start, on the cores the measurement needs).
            await new Promise((resolve) => setTimeout(resolve, 5_000));
            const figures = wrkRps(server.url, agent);
            totals[mode] += figures.rps;
            console.log(
              `  ${who.padEnd(10)} round ${round}  ${feature} ${mode === "app" ? "off" : "on "} ${figures.rps.toFixed(0).padStart(7)} req/s  (${figures.errors} errors)`,
            );
          } finally {
            server.stop();
          }
        }
      }
      console.log(
        `  ${who.padEnd(10)} on / off over three rounds: ${((totals[on] / totals.app) * 100).toFixed(1)} %`,
      );
      await after?.(agent);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The cost counting adds to a request, in nanoseconds, timed in this process
 * over a million calls (so the total in milliseconds is the cost of one in nanoseconds): the server's fetch, counted and not, answering a ready Response,
 * for a client already counted today (every request but its first).
 */
async function countingCostNs(userAgent: string): Promise<number> {
  const state = mkdtempSync(join(tmpdir(), "feedloom-bench-state-"));
  const statistics = (await nodeStatistics(
    loadStatsConfig({ STATS_TOKEN: "bench-token-0123456789abcdef" }),
    "",
    state,
  ))!;
  try {
    const request = new Request("http://127.0.0.1/feed.rss");
    const env = {
      incoming: {
        url: "/feed.rss",
        rawHeaders: ["Host", "127.0.0.1", "Accept-Encoding", "gzip", "User-Agent", userAgent],
        socket: { remoteAddress: "127.0.0.1" },
      },
    };
    const response = new Response("ok");
    const plain = async (_request: Request, _env: unknown) => response;
    const counted = countingFetch(statistics, plain);
    await counted(request, env); // today's first: written, then only repeats
    await new Promise((resolve) => setTimeout(resolve, 100));
    /** Nanoseconds a call. */
    const time = async (
      fetch: (request: Request, env: unknown) => Response | Promise<Response>,
    ) => {
      const started = performance.now();
      for (let i = 0; i < 1_000_000; i++) await fetch(request, env);
      return performance.now() - started;
    };
    await time(plain); // warm-up
    const withCounting = await time(counted);
    return withCounting - (await time(plain));
  } finally {
    statistics.close();
    rmSync(state, { recursive: true, force: true });
  }
}

/**
 * A daily digest of "AI" at 10k articles, uncached, on Node and in workerd (HEAD minus a preflight, as for
 * feeds): the corpus's four years end today, so that its last 30 days are full, as on a live site.
 */
async function digestFigures(): Promise<void> {
  const dir = writeCorpus(10_000, Date.now() - 4 * 365 * 86_400_000);
  const work = mkdtempSync(join(tmpdir(), "feedloom-digest-"));
  try {
    const bundle = bundleWorker(dir, join(work, "digest"), { cacheRenders: false });
    const path = "/topics/ai/digest/daily.rss";
    const text = readFileSync(
      join(
        bundle.bundleDir,
        readdirSync(bundle.bundleDir).find((name) => name.endsWith(".txt"))!,
      ),
      "utf8",
    );
    const app = createApp({
      store: createMemoryStore(indexFromBundle(JSON.parse(text) as ContentBundle), "bench", {
        now: () => Date.now(),
      }),
      config: loadConfig({}),
    });
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      const body = await (await app.fetch(new Request(`http://127.0.0.1${path}`))).text();
      times.push(performance.now() - t);
      items = body.split("<item>").length - 1;
    }
    const inWorkerd = await timeBundleInWorkerd(bundle.bundleDir, () => path);
    console.log(
      `\ndaily digest of "AI", uncached, 10k articles ending today (${items} items); target <= 2 ms:`,
    );
    console.log(
      `  Node, app.fetch()                                  ${median(times.slice(50)).toFixed(2)} ms`,
    );
    console.log(
      `  workerd, HEAD minus preflight (wall)               ${(inWorkerd.feedMs - inWorkerd.baselineMs).toFixed(2)} ms  (${inWorkerd.feedMs.toFixed(2)} - ${inWorkerd.baselineMs.toFixed(2)} ms)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

async function workerFigures(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "feedloom-worker-"));
  const corpora: [string, string][] = [["sample (data/)", "data"]];
  try {
    for (const count of [1_000, 10_000])
      corpora.push([`${count / 1000}k synthetic`, writeCorpus(count)]);
    console.log("\nWorker bundle (wrangler deploy --dry-run; free plan limit 3 MB gzipped):");
    console.log("corpus           | articles | bundle     | gzipped");
    const sizes = corpora.map(([name, dir], i) => {
      const figures = bundleWorker(dir, join(work, String(i)));
      console.log(
        `${name.padEnd(16)} | ${String(figures.articles).padStart(8)} | ${(figures.totalKiB / 1024).toFixed(2).padStart(7)} MB | ${(figures.gzipKiB / 1024).toFixed(2).padStart(5)} MB`,
      );
      return figures;
    });
    const [sample, , large] = sizes;
    const perArticleKiB = (large.gzipKiB - sample.gzipKiB) / (large.articles - sample.articles);
    const fit = Math.floor((3 * 1024 - sample.gzipKiB) / perArticleKiB);
    console.log(
      `about ${perArticleKiB.toFixed(2)} KiB gzipped per article over ${sample.gzipKiB.toFixed(0)} KiB of code: about ${fit} articles fit in 3 MB (goal >= 10,000)`,
    );

    const inNode = JSON.parse(
      execFileSync(
        process.execPath,
        ["--import", "tsx", fileURLToPath(import.meta.url), "--worker-child", large.bundleDir],
        { encoding: "utf8" },
      )
        .trim()
        .split("\n")
        .pop()!,
    );
    const rendering = bundleWorker(corpora[2][1], join(work, "rendering"), { cacheRenders: false });
    const inWorkerd = await timeBundleInWorkerd(rendering.bundleDir);
    const deferred = bundleWorker(corpora[2][1], join(work, "deferred"), { deferStartup: true });
    const startup = await workerdStartupMs(large.bundleDir, deferred.bundleDir);
    console.log(
      `\nWorker with ${large.articles} articles (the 10k corpus's published ones); targets: startup <= 100 ms, uncached feed <= 2 ms CPU`,
    );
    console.log(
      `  startup, global scope: JSON.parse + index, in Node          ${inNode.startupMs.toFixed(1).padStart(6)} ms`,
    );
    console.log(
      `  startup in workerd: first answer minus that of the same     ${startup.differenceMs.toFixed(1).padStart(6)} ms  (median of 9 alternating pairs; about ${startup.withMs.toFixed(0)} vs ${startup.withoutMs.toFixed(0)} ms`,
    );
    console.log(
      "    bundle with its start-up deferred (Miniflare, wall time)           including workerd's own boot)",
    );
    console.log(
      `  uncached 50-item feed, app.fetch() in Node                  rss ${inNode.rss.toFixed(2)} ms, atom ${inNode.atom.toFixed(2)} ms, json ${inNode.json.toFixed(2)} ms`,
    );
    console.log(
      `  uncached rss feed in workerd, HEAD minus preflight (wall)   ${(inWorkerd.feedMs - inWorkerd.baselineMs).toFixed(2).padStart(6)} ms  (${inWorkerd.feedMs.toFixed(2)} - ${inWorkerd.baselineMs.toFixed(2)} ms)`,
    );
  } finally {
    for (const [, dir] of corpora.slice(1)) cleanUp(dir);
    cleanUp(work);
  }
}

async function floodOnly(): Promise<void> {
  const dir = writeCorpus(10_000);
  const work = mkdtempSync(join(tmpdir(), "feedloom-flood-"));
  try {
    await floodFigure(work, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

async function missFigure(): Promise<void> {
  const dir = writeCorpus(10_000);
  const work = mkdtempSync(join(tmpdir(), "feedloom-misses-"));
  try {
    await missLoadFigure(dir, work);
    await floodFigure(work, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--child") return child(Number(process.argv[3]), process.argv[4]);
  if (process.argv[2] === "--worker-child") return timeBundleInNode(process.argv[3]);
  if (process.argv[2] === "misses") return missFigure();
  if (process.argv[2] === "flood") return floodOnly();
  if (process.argv[2] === "digest") return digestFigures();
  if (process.argv[2] === "load") return loadFigure();
  if (process.argv[2] === "stats") return statsFigure();
  if (process.argv[2] === "federation") return federationFigure();
  if (process.argv[2] === "live")
    return liveFigures(process.argv[3] ? [Number(process.argv[3])] : undefined);
  if (process.argv[2] === "d1") return d1Figures(Number(process.argv[3] ?? 100_000));
  if (process.argv[2] === "embed") return embedFigures();
  if (process.argv[2] === "api") return apiFigures();
  if (process.argv[2] === "export")
    return exportFigures(process.argv[3] ? [Number(process.argv[3])] : undefined);
  if (process.argv[2] === "scale")
    return scaleFigures(process.argv[3] ? Number(process.argv[3]) : undefined);
  console.log(`feedloom bench on node ${process.version}; each row is a fresh process\n`);
  console.log(
    "load+index: cold = every file parsed; warm = a restart with the parse cache (files read and hashed, none re-parsed)\n",
  );
  console.log(
    "articles | published | topics | providers | load+index cold | load+index warm | peak RSS | heap after",
  );
  const self = fileURLToPath(import.meta.url);
  let renders: Record<string, number> = {};
  for (const count of SIZES) {
    const dir = writeCorpus(count);
    try {
      const output = execFileSync(
        process.execPath,
        ["--import", "tsx", self, "--child", String(count), dir],
        { encoding: "utf8" },
      );
      const figures = JSON.parse(output.trim().split("\n").pop()!);
      console.log(
        `${String(count).padStart(8)} | ${String(figures.articles).padStart(9)} | ${String(figures.topics).padStart(6)} | ${String(figures.providers).padStart(9)} | ${figures.loadMs.toFixed(0).padStart(12)} ms | ${figures.warmMs.toFixed(0).padStart(12)} ms | ${figures.peakRssMb.toFixed(0).padStart(5)} MB | ${figures.heapMb.toFixed(0).padStart(6)} MB`,
      );
      if (count === 10_000) renders = figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.parse-cache`, { recursive: true, force: true });
    }
  }
  console.log(
    "\nmedian render of one 50-item feed at 10k articles (build model + render, 400 samples):",
  );
  for (const format of FORMAT_NAMES)
    console.log(`  ${format.padEnd(5)} ${renders[`render_${format}_ms`].toFixed(3)} ms`);
  console.log(
    `median uncached daily digest of "AI" at 10k articles (app.request, RSS, ${renders.digest_items} items from about ${renders.digest_stories} stories of 30 days): ${renders.digest_ms.toFixed(3)} ms (target <= 2 ms)`,
  );
  console.log(
    "\ntargets: load+index 10k <= 500 ms (met warm; cold is bound by YAML parsing); each render <= 1 ms",
  );
  await loadFigure();
  await statsFigure();
  await federationFigure();
  await liveFigures();
  await missFigure();
  await workerFigures();
  await digestFigures();
  await d1Figures();
  await embedFigures();
  await exportFigures();
  await scaleFigures();
  await apiFigures();
}

await main();
