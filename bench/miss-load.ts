/**
 * Miss-only load: every request a distinct, valid, canonical feed URL (limit,
 * page, q, since over every scope and format), so that the render cache never
 * helps. Readers send Accept-Encoding, so requests ask for br and gzip.
 * Measured with autocannon and cross-checked with wrk (Debian's package) when
 * it is on the PATH. Target: >= 1,000 req/s with p99 under 100 ms at 10k articles:
 * 64 connections as fast as the server answers (latency there is mostly
 * queueing behind the other 63), and the target's own reading with wrk paced to
 * just over 1,000 req/s (each connection waits between requests, wrk's delay()).
 * autocannon's overallRate sends each second's requests in a burst, which
 * measures the burst, so it gives no fixed-rate figure.
 */
const PACED_DELAY_MS = 45;
import autocannon from "autocannon";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.js";
import { type FeedScope, feedUrl, pageLocator } from "../src/feeds/model.js";
import { FORMAT_NAMES, feedPath } from "../src/scheme/paths.js";
import type { ContentIndex } from "../src/index/index.js";
import { loadIndexFromDir } from "../src/sources/load.js";

const URL_COUNT = 30_000;
const SECONDS = 10;
const CONNECTIONS = 64;
const WORDS = [
  "ai",
  "model",
  "chip",
  "cloud",
  "vision",
  "robot",
  "market",
  "data",
  "neural",
  "research",
];

function seeded(seed: number) {
  let state = seed >>> 0;
  return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Distinct canonical feed URLs that all answer 200, in a shuffled order. */
export function missUrls(index: ContentIndex, count = URL_COUNT): string[] {
  const config = loadConfig({});
  const next = seeded(7);
  const scopes: { scope: FeedScope; size: number }[] = [
    { scope: { kind: "all" }, size: index.articles.length },
    ...[...index.topics.values()].map((group) => ({
      scope: { kind: "topic", key: group.key, name: group.name } as FeedScope,
      size: group.articles.length,
    })),
    ...[...index.providers.values()]
      .filter((group) => group.articles.length >= 10)
      .map((group) => ({
        scope: { kind: "provider", key: group.key, name: group.name } as FeedScope,
        size: group.articles.length,
      })),
  ];
  const urls = new Set<string>();
  const newest = index.articles[0].published;
  while (urls.size < count) {
    const { scope, size } = scopes[Math.floor(next() * scopes.length)];
    const format = FORMAT_NAMES[Math.floor(next() * FORMAT_NAMES.length)];
    const limit = [10, 20, 25, 50, 100][Math.floor(next() * 5)];
    const kind = next();
    const query =
      kind < 0.6
        ? { limit, page: 1 + Math.floor(next() * Math.max(1, Math.ceil(size / limit))) }
        : kind < 0.8
          ? { limit, page: 1, q: WORDS[Math.floor(next() * WORDS.length)] }
          : {
              limit,
              page: 1,
              since: new Date(Date.parse(newest) - Math.floor(next() * 400) * 86_400_000)
                .toISOString()
                .replace(/\.\d+Z$/, "Z")
                .replace(/T.*/, "T00:00:00Z"),
            };
    // The canonical spelling (a later plain page is a path), so that no request is a redirect.
    urls.add(
      feedUrl(
        { origin: "", path: feedPath(scope) },
        format,
        pageLocator(query, config.defaultLimit),
      ),
    );
  }
  return [...urls];
}

/** `taskset -c N` where it exists and the machine has a core to spare: the server on one core, the load tools on another. */
function pinnedTo(core: number, command: string[]): string[] {
  return canPin() ? ["taskset", "-c", String(core), ...command] : command;
}

function canPin(): boolean {
  try {
    execFileSync("taskset", ["-c", "1", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function startApp(
  dir: string,
  mode: "app" | "app-unshed" = "app",
  pin = false,
): Promise<{ port: number; stop: () => void }> {
  const [command, ...args] = (
    pin ? (list: string[]) => pinnedTo(0, list) : (list: string[]) => list
  )([
    process.execPath,
    "--import",
    "tsx",
    fileURLToPath(new URL("./server.ts", import.meta.url)),
    mode,
    dir,
    "/feed.rss",
  ]);
  const server = spawn(command, args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(server.stdout!, "data")) as [Buffer];
  return { port: JSON.parse(line.toString()).port, stop: () => server.kill("SIGTERM") };
}

export function hasWrk(): boolean {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined; // wrk --version exits 1 but runs
  }
}

/** wrk with a Lua script that walks the same URL list; with `delayMs`, each connection waits that long between requests. */
function wrkFigures(port: number, urls: string[], workDir: string, delayMs?: number): string {
  const list = join(workDir, `urls${delayMs ?? ""}.lua`);
  writeFileSync(
    list,
    `local urls = {${urls.map((url) => JSON.stringify(url)).join(",")}}\nlocal i = 0\n` +
      'wrk.headers["Accept-Encoding"] = "gzip, deflate, br"\n' +
      'request = function()\n  i = i + 1\n  return wrk.format("GET", urls[(i % #urls) + 1])\nend\n' +
      (delayMs === undefined ? "" : `delay = function()\n  return ${delayMs}\nend\n`),
  );
  const output = execFileSync(
    "wrk",
    [
      "-t1",
      `-c${CONNECTIONS}`,
      `-d${SECONDS}s`,
      "--latency",
      "-s",
      list,
      `http://127.0.0.1:${port}`,
    ],
    { encoding: "utf8" },
  );
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1];
  const p99 = /99%\s+([\d.]+\w+)/.exec(output)?.[1];
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? "0";
  const socket = /Socket errors: (.*)/.exec(output)?.[1] ?? "none";
  return `${Number(rps).toFixed(0).padStart(7)} req/s  p99 ${p99}  (non-2xx ${errors}; socket errors ${socket})`;
}

export async function missLoadFigure(dir: string, workDir: string): Promise<void> {
  const { index } = await loadIndexFromDir(dir, { includeUnpublished: false, now: Date.now() });
  const urls = missUrls(index);
  console.log(
    `\nmiss-only load: ${urls.length} distinct valid feed URLs (limit/page/q/since, every scope and format), 10k articles,`,
  );
  console.log(
    `Accept-Encoding: gzip, deflate, br; ${CONNECTIONS} connections x ${SECONDS} s; a fresh server each run, each URL asked once:`,
  );
  const autocannonRun = async () => {
    const server = await startApp(dir);
    try {
      let i = 0;
      const result = await autocannon({
        url: `http://127.0.0.1:${server.port}`,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: { "accept-encoding": "gzip, deflate, br" },
        requests: [{ setupRequest: (request) => ({ ...request, path: urls[i++ % urls.length] }) }],
      });
      return `${result.requests.average.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  (non-2xx ${result.non2xx}; errors ${result.errors}, timeouts ${result.timeouts})`;
    } finally {
      server.stop();
    }
  };
  console.log(`  autocannon, saturating        ${await autocannonRun()}`);
  if (hasWrk()) {
    for (const delayMs of [undefined, PACED_DELAY_MS]) {
      const server = await startApp(dir);
      try {
        const label =
          delayMs === undefined ? "wrk, saturating" : `wrk, paced (${delayMs} ms apart)`;
        console.log(`  ${label.padEnd(29)} ${wrkFigures(server.port, urls, workDir, delayMs)}`);
      } finally {
        server.stop();
      }
    }
  } else {
    console.log(
      "  wrk                           not on the PATH (apt-get install wrk) for the cross-check",
    );
  }
  console.log(
    "  target: >= 1000 req/s with p99 < 100 ms (the paced row is that load; the saturating rows show the ceiling)",
  );
}

/** wrk's figures for a run already made: requests/s, p99, max, and the count of non-2xx answers. */
function wrkSummary(output: string): {
  rps: number;
  p99: string;
  max: string;
  non2xx: number;
  requests: number;
} {
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
    p99: /99%\s+([\d.]+\w+)/.exec(output)?.[1] ?? "?",
    max: /Latency\s+\S+\s+\S+\s+(\S+)/.exec(output)?.[1] ?? "?",
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? 0),
  };
}

function runWrk(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [command, ...rest] = pinnedTo(1, ["wrk", ...args]);
    const child = spawn(command, rest, { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`wrk exited with ${code}`)),
    );
  });
}

/** A flood's pace per connection: 64 connections make about 2,000 requests a second, past any render capacity here. */
const FLOOD_DELAY_MS = 32;

/**
 * A flood of distinct uncached URLs (/feed.json?limit=1..200&q=<two letters>, 64 connections) while a reader
 * polls a cached feed (4 connections), both measured by wrk from outside: with load shedding and without.
 */
export async function floodFigure(workDir: string, dir: string): Promise<void> {
  if (!hasWrk()) {
    console.log("\nflood: wrk not on the PATH (apt-get install wrk)");
    return;
  }
  const script = join(workDir, "flood.lua");
  writeFileSync(
    script,
    'local letters = "abcdefghijklmnopqrstuvwxyz"\nmath.randomseed(7)\nwrk.headers["Accept-Encoding"] = "gzip, deflate, br"\n' +
      "request = function()\n  local limit = math.random(1, 199)\n  if limit >= 50 then limit = limit + 1 end\n" +
      "  local a, b = math.random(1, 26), math.random(1, 26)\n" +
      '  return wrk.format("GET", "/feed.json?limit=" .. limit .. "&q=" .. letters:sub(a, a) .. letters:sub(b, b))\nend\n' +
      `delay = function()\n  return ${FLOOD_DELAY_MS}\nend\n`,
  );
  console.log(
    `\nflood: distinct uncached /feed.json?limit=1..200&q=<two letters>, wrk -c${CONNECTIONS} x ${SECONDS} s, each connection ${FLOOD_DELAY_MS} ms apart (about ${Math.round((CONNECTIONS * 1000) / FLOOD_DELAY_MS)} req/s, several times what the server can render), while a reader polls`,
  );
  console.log(
    `the cached /feed.rss (gzip) with wrk -c4; 10k articles; ${canPin() ? "the server on core 0, both wrk on core 1 (taskset), as a flood from elsewhere would leave the server its core" : "server and wrk share the cores"}:`,
  );
  for (const mode of ["app-unshed", "app"] as const) {
    const server = await startApp(dir, mode, true);
    try {
      const cached = `http://127.0.0.1:${server.port}/feed.rss`;
      for (let i = 0; i < 2; i++) await fetch(cached, { headers: { "Accept-Encoding": "gzip" } }); // the second request keeps it
      const [flood, reader] = await Promise.all([
        runWrk([
          "-t1",
          `-c${CONNECTIONS}`,
          `-d${SECONDS}s`,
          "--latency",
          "--timeout",
          "10s",
          "-s",
          script,
          `http://127.0.0.1:${server.port}`,
        ]),
        runWrk(["-t1", "-c4", `-d${SECONDS}s`, "--latency", "-H", "Accept-Encoding: gzip", cached]),
      ]);
      const f = wrkSummary(flood);
      const r = wrkSummary(reader);
      const label = mode === "app" ? "with load shedding" : "without (every miss renders)";
      console.log(
        `  ${label.padEnd(29)} flood ${f.rps.toFixed(0).padStart(6)} req/s, ${((f.non2xx / Math.max(1, f.requests)) * 100).toFixed(0).padStart(3)} % 503, p99 ${f.p99}, max ${f.max}`,
      );
      console.log(
        `  ${"".padEnd(29)} cached reader ${r.rps.toFixed(0).padStart(6)} req/s, p99 ${r.p99}, max ${r.max}, non-2xx ${r.non2xx}`,
      );
    } finally {
      server.stop();
    }
  }
  console.log(
    "  targets: the cached reader's p99 under 100 ms and no 503 for it; no flood request past 2 s",
  );
}
