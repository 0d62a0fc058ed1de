/**
 * The publishing API on Node (`npm run bench -- api`): the production
 * server (dist/cli.mjs serve) on a synthetic corpus of 10k articles, timed
 * from outside over HTTP.
 *   accepted: articles per second the API takes, one PUT at a time, and in
 *             batches of 100 (each answered once its files are in place)
 *   reader p99: latency of a cached /feed.rss read back to back, alone, and
 *               from the sending of one batch of 1,000 articles until they are
 *               in the feed (written, then reloaded into the index)
 * The same calls in workerd, into D1 at 100k articles, are d1-bench.ts's.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { writeCorpus } from "./corpus.js";
import { startServe } from "./serve.js";

const SECRET = "bench-api-secret-of-thirty-two-chars";
const AUTH = { Authorization: `Bearer ${SECRET}`, "Content-Type": "application/json" };
const ONE_AT_A_TIME = 200;
const BATCHES = 10;
const BATCH_SIZE = 100;
const BIG_BATCH = 1_000;

function article(i: number) {
  return {
    title: `API bench ${i}`,
    excerpt: "Sent over HTTP while the server runs.",
    publishedDateTime: new Date(Date.UTC(2023, 6, 1) + i * 60_000)
      .toISOString()
      .replace(/\.\d+Z$/, "Z"),
    webUrl: `https://api-bench.example.com/${i}`,
    provider: { name: "API Bench", domain: "api-bench.example.com" },
    topics: ["AI"],
  };
}
const keyOf = (i: number) => `2023-07-01-api-bench-${i}`;

async function send(origin: string, path: string, method: string, body: unknown): Promise<void> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: AUTH,
    body: JSON.stringify(body),
  });
  if (response.status >= 300)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

export const perSecond = (count: number, ms: number) => ((count / ms) * 1000).toFixed(0);
export const p99 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)];

async function untilInFeed(origin: string, text: string): Promise<void> {
  while (!(await (await fetch(`${origin}/feed.rss`)).text()).includes(text))
    await new Promise((done) => setTimeout(done, 20));
}

/** Reads /feed.rss back to back until `done` settles; the latencies in ms. */
async function readWhile(origin: string, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void done.finally(() => (finished = true));
  const latencies: number[] = [];
  while (!finished) {
    const started = performance.now();
    await (await fetch(`${origin}/feed.rss`)).arrayBuffer();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

export async function apiFigures(count = 10_000): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build:server"]);
  console.log(`\npublishing API on Node (dist/cli.mjs serve, ${count} articles, over HTTP):`);
  const dir = writeCorpus(count);
  const server = await startServe(dir, {
    API_TOKENS: `bench:create,update,delete:${SECRET}`,
    API_RATE_LIMIT: "1000000",
  });
  try {
    const { origin } = server;
    let started = performance.now();
    for (let i = 0; i < ONE_AT_A_TIME; i++)
      await send(origin, `/api/articles/${keyOf(i)}`, "PUT", article(i));
    console.log(
      `  one PUT at a time: ${perSecond(ONE_AT_A_TIME, performance.now() - started)} articles/s (${ONE_AT_A_TIME} articles)`,
    );

    started = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const first = ONE_AT_A_TIME + b * BATCH_SIZE;
      const put = Array.from({ length: BATCH_SIZE }, (_, n) => ({
        key: keyOf(first + n),
        article: article(first + n),
      }));
      await send(origin, "/api/articles", "POST", { put });
    }
    console.log(
      `  batches of ${BATCH_SIZE}: ${perSecond(BATCHES * BATCH_SIZE, performance.now() - started)} articles/s (${BATCHES} batches)`,
    );

    // Quiet first: the batches' reload has put their newest article in the feed.
    await untilInFeed(origin, `API bench ${ONE_AT_A_TIME + BATCHES * BATCH_SIZE - 1}<`);
    const idle = await readWhile(origin, new Promise((done) => setTimeout(done, 2_000)));
    const first = ONE_AT_A_TIME + BATCHES * BATCH_SIZE;
    const put = Array.from({ length: BIG_BATCH }, (_, n) => ({
      key: keyOf(first + n),
      article: article(first + n),
    }));
    started = performance.now();
    let batchMs = 0;
    const applying = send(origin, "/api/articles", "POST", { put }).then(() => {
      batchMs = performance.now() - started;
      return untilInFeed(origin, `API bench ${first + BIG_BATCH - 1}<`);
    });
    const busy = await readWhile(origin, applying);
    const liveMs = performance.now() - started;
    console.log(
      `  one batch of ${BIG_BATCH}: answered in ${batchMs.toFixed(0)} ms (${perSecond(BIG_BATCH, batchMs)} articles/s), in the feed after ${liveMs.toFixed(0)} ms`,
    );
    console.log(
      `  cached /feed.rss p99: ${p99(idle).toFixed(1)} ms alone (${idle.length} reads), ${p99(busy).toFixed(1)} ms from that batch's sending until it is in the feed (${busy.length} reads)`,
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
