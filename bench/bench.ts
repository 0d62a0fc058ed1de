/**
 * `npm run bench`: prints figures, asserts nothing. Each corpus size is loaded
 * in a child process so that its peak memory is its own.
 *   load+index: read N files from disk, parse, validate, index (target 10k <= 0.5 s)
 *   render: median of one 50-item feed per format at 10k (target <= 1 ms)
 *   load: requests/s for a cached 50-item feed, gzip negotiated, through the
 *         app vs a bare node:http server sending the same bytes (target >= 60%)
 */
import autocannon from "autocannon";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config.js";
import { type FeedFormat, FORMAT_NAMES, buildFeed } from "../src/feeds/model.js";
import { renderFeed } from "../src/feeds/render.js";
import { loadIndexFromDir } from "../src/runtime/load.js";
import { syntheticArticles } from "./corpus.js";

const SIZES = [1_000, 10_000, 50_000];

function writeCorpus(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), `feedloom-bench-${count}-`));
  for (const { name, text } of syntheticArticles(count)) writeFileSync(join(dir, name), text);
  return dir;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Child: load one corpus, print JSON figures (and render medians at 10k). */
async function child(count: number, dir: string): Promise<void> {
  const cacheDir = join(dir, ".cache");
  const started = performance.now();
  const result = await loadIndexFromDir(dir, { includeUnpublished: false, cacheDir });
  const loadMs = performance.now() - started;
  const warmStarted = performance.now();
  await loadIndexFromDir(dir, { includeUnpublished: false, cacheDir });
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
    for (const format of FORMAT_NAMES as FeedFormat[]) {
      const times: number[] = [];
      for (let i = 0; i < 500; i++) {
        const t = performance.now();
        const feed = buildFeed({ kind: "all" }, result.index.articles, { limit: 50, page: 1 + (i % 5) }, { config, origin: "http://127.0.0.1:8787" });
        renderFeed(feed, format);
        times.push(performance.now() - t);
      }
      figures[`render_${format}_ms`] = median(times.slice(100));
    }
  }
  console.log(JSON.stringify(figures));
}

const LOAD_SECONDS = 5;

/** Starts bench/server.ts in one mode, loads it with autocannon from this process, stops it. */
async function requestsPerSecond(mode: "app" | "bare", dir: string, path: string): Promise<{ rps: number; bytes: number; errors: number }> {
  const server = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./server.ts", import.meta.url)), mode, dir, path], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const [line] = (await once(server.stdout!, "data")) as [Buffer];
    const { port } = JSON.parse(line.toString());
    const url = `http://127.0.0.1:${port}${path}`;
    const options = { url, connections: 32, headers: { "accept-encoding": "gzip" } };
    await autocannon({ ...options, duration: 1 }); // warm-up: JIT, and the app renders and compresses once
    const result = await autocannon({ ...options, duration: LOAD_SECONDS });
    return { rps: result.requests.average, bytes: result.throughput.average, errors: result.errors + result.non2xx };
  } finally {
    server.kill("SIGTERM");
  }
}

async function loadFigure(): Promise<void> {
  const dir = writeCorpus(10_000);
  try {
    const path = "/feed.rss";
    const bare = await requestsPerSecond("bare", dir, path);
    const app = await requestsPerSecond("app", dir, path);
    console.log(`\nload: GET ${path} (50 items, gzip), 10k articles, autocannon 32 connections x ${LOAD_SECONDS} s on 127.0.0.1:`);
    console.log(`  bare node:http, same bytes   ${bare.rps.toFixed(0).padStart(7)} req/s  (${bare.errors} errors)`);
    console.log(`  feedloom app                 ${app.rps.toFixed(0).padStart(7)} req/s  (${app.errors} errors)`);
    console.log(`  app / bare                   ${((app.rps / bare.rps) * 100).toFixed(0).padStart(6)} %   (target >= 60 %)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--child") return child(Number(process.argv[3]), process.argv[4]);
  console.log(`feedloom bench on node ${process.version}; each row is a fresh process\n`);
  console.log("load+index: cold = every file parsed; warm = a restart with the parse cache (files read and hashed, none re-parsed)\n");
  console.log("articles | published | topics | providers | load+index cold | load+index warm | peak RSS | heap after");
  const self = fileURLToPath(import.meta.url);
  let renders: Record<string, number> = {};
  for (const count of SIZES) {
    const dir = writeCorpus(count);
    try {
      const output = execFileSync(process.execPath, ["--import", "tsx", self, "--child", String(count), dir], { encoding: "utf8" });
      const figures = JSON.parse(output.trim().split("\n").pop()!);
      console.log(
        `${String(count).padStart(8)} | ${String(figures.articles).padStart(9)} | ${String(figures.topics).padStart(6)} | ${String(figures.providers).padStart(9)} | ${figures.loadMs.toFixed(0).padStart(12)} ms | ${figures.warmMs.toFixed(0).padStart(12)} ms | ${figures.peakRssMb.toFixed(0).padStart(5)} MB | ${figures.heapMb.toFixed(0).padStart(6)} MB`,
      );
      if (count === 10_000) renders = figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log("\nmedian render of one 50-item feed at 10k articles (build model + render, 400 samples):");
  for (const format of FORMAT_NAMES) console.log(`  ${format.padEnd(5)} ${renders[`render_${format}_ms`].toFixed(3)} ms`);
  console.log("\ntargets: load+index 10k <= 500 ms (met warm; cold is bound by YAML parsing); each render <= 1 ms");
  await loadFigure();
}

await main();
