/**
 * Live publishing on Node (`npm run bench -- live`): the production server
 * (dist/cli.mjs serve) on a synthetic corpus, timed from outside.
 *   write -> live: from a new file's write to its first appearance in /feed.rss
 *                  (targets: 1 s at 10k articles, 2 s at 50k)
 *   reload: the server's own figure, from its log line (scan, parse, index)
 *   memory: resident memory after the 1st and the 200th reload at 10k (target: within 10 %)
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCorpus } from "./corpus.js";
import { memoryMb, startServe } from "./serve.js";
import { median } from "./stats.js";

const WRITES = 9;
const RELOADS = 200;

function articleText(i: number): string {
  // Newer than any synthetic article, so it tops /feed.rss.
  const date = new Date(Date.UTC(2023, 6, 1) + i * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
  return `---\ntitle: "Live bench ${i}"\nexcerpt: "Written while the server runs."\npublishedDateTime: ${date}\nwebUrl: "https://live-bench.example.com/${i}"\nprovider:\n  name: Live Bench\n  domain: live-bench.example.com\ntopics:\n  - AI\n---\n`;
}

/** Milliseconds from the write to the first /feed.rss that holds the article (polled back to back). */
async function writeToLive(origin: string, dir: string, i: number): Promise<number> {
  const url = `https://live-bench.example.com/${i}`;
  const started = performance.now();
  writeFileSync(join(dir, `2023-07-01-live-bench-${i}.md`), articleText(i));
  for (;;) {
    if ((await (await fetch(`${origin}/feed.rss`)).text()).includes(url))
      return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error(`article ${i} not live after 30 s`);
  }
}

const reloadTimes = (log: string) =>
  [...log.matchAll(/^feedloom: reload: .*; (\d+) ms$/gm)].map((match) => Number(match[1]));
async function waitForReloads(log: () => string, count: number): Promise<void> {
  while (reloadTimes(log()).length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

export async function liveFigures(sizes = [10_000, 50_000]): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build:server"]);
  console.log(
    `\nlive publishing on Node (dist/cli.mjs serve, file events, rescans off), ${WRITES} new files one after another:`,
  );
  console.log(
    "articles | write -> in /feed.rss: median, max | reload (server's figure): median, max",
  );
  for (const count of sizes) {
    const dir = writeCorpus(count);
    const server = await startServe(dir);
    try {
      await fetch(`${server.origin}/feed.rss`); // a first render, as a live server has had
      const times: number[] = [];
      for (let i = 0; i < WRITES; i++) times.push(await writeToLive(server.origin, dir, i));
      const reloads = reloadTimes(server.log());
      const target = count <= 10_000 ? "target 1 s" : "target 2 s";
      console.log(
        `${String(count).padStart(8)} | ${median(times).toFixed(0).padStart(6)} ms, ${Math.max(
          ...times,
        )
          .toFixed(0)
          .padStart(5)} ms (${target}) | ${median(reloads).toFixed(0).padStart(5)} ms, ${Math.max(
          ...reloads,
        )
          .toFixed(0)
          .padStart(5)} ms`,
      );
      if (count === 10_000) {
        // One file rewritten 200 times, each waited for: 200 reloads of the whole 10k-article set.
        const base = reloadTimes(server.log()).length;
        writeFileSync(join(dir, "2023-07-01-churn.md"), articleText(100_000));
        await waitForReloads(server.log, base + 1);
        const first = memoryMb(server.child.pid!);
        for (let i = 1; i < RELOADS; i++) {
          writeFileSync(join(dir, "2023-07-01-churn.md"), articleText(100_000 + i));
          await waitForReloads(server.log, base + 1 + i);
        }
        const last = memoryMb(server.child.pid!);
        console.log(
          `  memory at 10k: ${first.toFixed(0)} MB after the 1st reload, ${last.toFixed(0)} MB after the ${RELOADS}th (${(((last - first) / first) * 100).toFixed(1)} %; target within 10 %)`,
        );
      }
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
