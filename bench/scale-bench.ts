/**
 * Scale on Node (`npm run bench -- scale [count]`): the production build at 10k and at 100k articles
 * (or 10k and `count`), timed from outside, so that what grows faster than the number of articles shows:
 *   start-up: `serve` from its spawn to the first answer of /feed.rss, cold (an empty parse cache: every
 *             file parsed) and warm (a restart with that cache); memory: its resident set after that answer
 *   one feed: the median of the first (uncached) answers of every topic's feed in each format, over HTTP
 *   export: a cold export (no cache, no record, an empty folder on disk), then one new article, with peaks
 * Each figure's growth from 10k is printed beside it, against the tenfold (or n-fold) in articles.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCorpus } from "./corpus.js";
import { addNewestArticle, exportSummary, timed } from "./export-bench.js";
import { memoryMb, startServe } from "./serve.js";
import { median } from "./stats.js";

interface Figures {
  coldStartMs: number;
  warmStartMs: number;
  rssMb: number;
  feedMs: number;
  feeds: number;
  exportS: number;
  exportPeakMb: number;
  files: number;
  oneArticleS: number;
  oneArticlePeakMb: number;
  written: number;
}

/** Milliseconds from spawning `serve` to its first answer of /feed.rss, and its resident memory then. */
async function startUp(
  corpus: string,
  cache: string,
): Promise<{ ms: number; rssMb: number; stop: () => Promise<void>; origin: string }> {
  const started = performance.now();
  const server = await startServe(corpus, { FEEDLOOM_CACHE_DIR: cache });
  const response = await fetch(`${server.origin}/feed.rss`);
  if (response.status !== 200) throw new Error(`/feed.rss answered ${response.status}`);
  await response.arrayBuffer();
  const ms = performance.now() - started;
  return { ms, rssMb: memoryMb(server.child.pid!), stop: server.stop, origin: server.origin };
}

/** The first answer of each topic's feed in each format: every one a render. */
async function firstRenders(origin: string): Promise<number[]> {
  const topics = (await (await fetch(`${origin}/topics.json`)).json()) as {
    topics: { feeds: Record<string, string> }[];
  };
  const times: number[] = [];
  for (const { feeds } of topics.topics)
    for (const url of Object.values(feeds)) {
      const started = performance.now();
      const response = await fetch(url.replace(/^https?:\/\/[^/]+/, origin));
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
      times.push(performance.now() - started);
    }
  return times;
}

async function figuresAt(count: number): Promise<Figures> {
  const corpus = writeCorpus(count, Date.now() - 4 * 365 * 86_400_000);
  const work = mkdtempSync(join(tmpdir(), "feedloom-scale-"));
  try {
    const serveCache = join(work, "serve-cache");
    const cold = await startUp(corpus, serveCache);
    await cold.stop();
    const warm = await startUp(corpus, serveCache);
    const renders = await firstRenders(warm.origin).finally(warm.stop);
    const env = {
      PUBLIC_URL: "https://feeds.example.com",
      FEEDLOOM_CACHE_DIR: join(work, "cache"),
    };
    const args = ["dist/cli.mjs", "export", "--data", corpus, "--out", join(work, "out")];
    const exported = timed(process.execPath, args, env);
    const added = addNewestArticle(corpus, 0);
    const again = timed(process.execPath, args, env);
    rmSync(added);
    return {
      coldStartMs: cold.ms,
      warmStartMs: warm.ms,
      rssMb: warm.rssMb,
      feedMs: median(renders),
      feeds: renders.length,
      exportS: exported.seconds,
      exportPeakMb: exported.peakMb,
      files: exportSummary(exported.stdout).files,
      oneArticleS: again.seconds,
      oneArticlePeakMb: again.peakMb,
      written: exportSummary(again.stdout).written,
    };
  } finally {
    rmSync(corpus, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

export async function scaleFigures(count = 100_000): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build:server"], { stdio: "inherit" });
  const small = await figuresAt(10_000);
  const large = await figuresAt(count);
  const fold = count / 10_000;
  console.log(
    `\nscale on Node (dist/cli.mjs): 10k and ${count / 1000}k articles; growth beside each figure, against ${fold}x the articles`,
  );
  const row = (label: string, of: (figures: Figures) => number, unit: string, digits = 0) => {
    const [a, b] = [of(small), of(large)];
    console.log(
      `  ${label.padEnd(44)} ${a.toFixed(digits).padStart(8)} ${unit.padEnd(3)} ${b.toFixed(digits).padStart(8)} ${unit.padEnd(3)} ${(b / a).toFixed(1).padStart(5)}x`,
    );
  };
  console.log(
    `  ${"".padEnd(44)} ${"10k".padStart(12)} ${`${count / 1000}k`.padStart(12)}  growth`,
  );
  row("serve, spawn to first /feed.rss, cold", (f) => f.coldStartMs, "ms");
  row("serve, spawn to first /feed.rss, warm", (f) => f.warmStartMs, "ms");
  row("serve, resident memory after it", (f) => f.rssMb, "MB");
  row(`one feed, first answer (median of ${large.feeds})`, (f) => f.feedMs, "ms", 1);
  row("cold export, wall", (f) => f.exportS, "s", 1);
  row("cold export, peak memory", (f) => f.exportPeakMb, "MB");
  row("cold export, files", (f) => f.files, "");
  row("one new article, export wall", (f) => f.oneArticleS, "s", 2);
  row("one new article, export peak memory", (f) => f.oneArticlePeakMb, "MB");
  row("one new article, files written", (f) => f.written, "");
}
