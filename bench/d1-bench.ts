/**
 * D1 at scale (printed by npm run bench, or alone with `npm run bench -- d1`):
 * a local D1 (wrangler's, miniflare's SQLite) filled by `npm run publish:d1`
 * from 100,000 synthetic articles. It times the first full sync (no parse
 * cache) and the publish of one new article, then serves the Worker from that
 * database in workerd and measures, per feed request, the rows D1 reads and
 * the uncached latency (HEAD skips the edge cache; the Worker is built
 * without its render cache), against a preflight that reads only the version.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { type FeedQuery, type StoreScope } from "../src/index/store.js";
import { type D1Like, pageCost, spanCost } from "../src/sources/d1-store.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { writeCorpus } from "./corpus.js";
import { median } from "./stats.js";
import { p99, perSecond } from "./api-bench.js";
import { WORKER_FLAGS, wranglerBundle } from "./worker-bench.js";
import { countingInboxes } from "./federation-bench.js";

const DATABASE_ID = "00000000-0000-0000-0000-0000000000d1";

function publish(config: string, state: string, data: string): { ms: number; line: string } {
  const started = performance.now();
  const output = execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/bin.ts",
      "publish",
      "--local",
      "--config",
      config,
      "--persist-to",
      state,
      "--data",
      data,
    ],
    {
      encoding: "utf8",
      env: { ...process.env, FEEDLOOM_CACHE_DIR: "off", WEBSUB_HUBS: "" },
    },
  );
  return { ms: performance.now() - started, line: output.trim().split("\n").pop()! };
}

/** The Worker with no bundled articles and no render cache, so it reads D1 on every request. */
function workerScript(dir: string): string {
  const { bundleDir } = wranglerBundle(
    dir,
    `import { createWorker } from ${JSON.stringify(resolve("src/entry/worker-app.ts"))};\nexport default createWorker(${JSON.stringify(JSON.stringify({ version: "d1", articles: [], topics: [], providers: [] }))}, { cacheRenders: false });\n`,
  );
  return join(bundleDir, "worker.js");
}

export async function d1Figures(count = 100_000): Promise<void> {
  const data = writeCorpus(count);
  const work = mkdtempSync(join(tmpdir(), "feedloom-d1-bench-"));
  const state = join(work, "state");
  const config = join(work, "wrangler.toml");
  writeFileSync(
    config,
    `name = "feedloom-d1-bench"\ncompatibility_date = "2026-04-26"\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "feedloom"\ndatabase_id = "${DATABASE_ID}"\nmigrations_dir = ${JSON.stringify(resolve("migrations"))}\n`,
  );
  let mf: Miniflare | undefined;
  try {
    execFileSync(
      join("node_modules", ".bin", "wrangler"),
      ["d1", "migrations", "apply", "DB", "--local", "--config", config, "--persist-to", state],
      { stdio: "ignore" },
    );
    console.log(
      `\nD1 (local, miniflare's SQLite through wrangler) with ${count} synthetic articles:`,
    );
    const first = publish(config, state, data);
    console.log(
      `  first full sync, cold (parse every file, write everything)  ${(first.ms / 1000).toFixed(1).padStart(6)} s   ${first.line.replace(/^feedloom publish: /, "")}`,
    );
    writeFileSync(
      join(data, "9999-new-article.md"),
      '---\ntitle: "One new article"\npublishedDateTime: 2023-12-31T23:59:00Z\nwebUrl: "https://new.example.com/one"\nprovider:\n  name: New\n  domain: new.example.com\ntopics:\n  - AI\n  - AI Hardware\n---\n',
    );
    const one = publish(config, state, data);
    console.log(
      `  publish one new article (parse every file, diff, write)     ${(one.ms / 1000).toFixed(1).padStart(6)} s   ${one.line.replace(/^feedloom publish: /, "")}`,
    );

    const script = workerScript(work);
    mf = workerOnD1(script, state);
    const db = (await mf.getD1Database("DB")) as unknown as D1Like;
    const { index } = await loadIndexFromDir(data, { includeUnpublished: false, now: Date.now() });
    const smallProvider = [...index.providers.values()].find(
      (group) => group.articles.length >= 5 && group.articles.length <= 10,
    )!;
    const deepPage = Math.ceil(index.articles.length / 50 / 2);
    const cases: { label: string; path: string; scope: StoreScope; query: FeedQuery }[] = [
      {
        label: "everything, page 1",
        path: "/feed.rss",
        scope: { kind: "all" },
        query: { limit: 50, page: 1 },
      },
      {
        label: `big topic "ai" (${index.topics.get("ai")!.articles.length})`,
        path: "/topics/ai/feed.rss",
        scope: { kind: "topic", key: "ai" },
        query: { limit: 50, page: 1 },
      },
      {
        label: `small provider (${smallProvider.articles.length})`,
        path: `/providers/${smallProvider.key}/feed.rss`,
        scope: { kind: "provider", key: smallProvider.key },
        query: { limit: 50, page: 1 },
      },
      {
        label: `everything, page ${deepPage} (middle)`,
        path: `/feed.rss?page=${deepPage}`,
        scope: { kind: "all" },
        query: { limit: 50, page: deepPage },
      },
    ];
    const time = async (path: string, method: string) => {
      const samples: number[] = [];
      for (let i = 0; i < 60; i++) {
        const started = performance.now();
        const response = await mf!.dispatchFetch(`http://127.0.0.1${path}`, { method });
        await response.arrayBuffer();
        if (response.status >= 300) throw new Error(`${path}: status ${response.status}`);
        samples.push(performance.now() - started);
      }
      return median(samples.slice(10));
    };
    const baseline = await time("/feed.rss", "OPTIONS");
    console.log(
      "  per feed request (50 items, RSS); rows read by the page query (plus 2 one-row reads: version, counts);",
    );
    console.log(
      `  latency: median HEAD wall time from Node through Miniflare, uncached (a preflight, which reads only the version: ${baseline.toFixed(2)} ms)`,
    );
    for (const item of cases) {
      const cost = await pageCost(db, item.scope, item.query);
      const ms = await time(item.path, "HEAD");
      console.log(
        `    ${item.label.padEnd(28)} rows read ${String(cost.rowsRead).padStart(6)}   latency ${ms.toFixed(2).padStart(6)} ms`,
      );
    }
    // A daily digest reads its 30 days of the topic (the span query), whatever the topic's size: the 30 days
    // up to the synthetic corpus's newest article (articles[1]: [0] is the one new article, a year later).
    const to = Date.parse(index.articles[1].published) + 86_400_000;
    const span = await spanCost(db, { kind: "topic", key: "ai" }, to - 30 * 86_400_000, to);
    console.log(
      `  daily digest of "ai" (its 30 days up to the corpus's newest article): ${span.rows} articles in the span, rows read ${span.rowsRead}`,
    );
    await apiFigures(mf, count);
    await mf.dispose();
    mf = workerOnD1(script, state, FEDERATING);
    await federationFigures(mf);
  } finally {
    await mf?.dispose();
    rmSync(data, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

const API_SECRET = "bench-d1-api-secret-of-thirty-two-chars";
const FEDERATING = {
  FEDERATION: "on",
  PUBLIC_URL: "https://feeds.example.org",
  FEDERATION_ALLOW_INSECURE: "true",
};

/** The Worker in workerd over the bench's local D1, with the API on and `vars`. */
function workerOnD1(script: string, state: string, vars: Record<string, string> = {}): Miniflare {
  return new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: dirname(script),
    compatibilityDate: "2026-04-26",
    compatibilityFlags: WORKER_FLAGS,
    d1Databases: { DB: DATABASE_ID },
    bindings: { API_TOKENS: `bench:create,update,delete:${API_SECRET}`, ...vars },
    // The API's one log line per write would bury the figures, and the insecure-federation warning
    // is the bench's own choice; anything else workerd says is shown.
    handleRuntimeStdio: (stdout, stderr) => {
      const shown = (chunk: Buffer) =>
        String(chunk)
          .split("\n")
          .filter(
            (line) =>
              line !== "" &&
              !line.startsWith("feedloom api: ") &&
              !line.includes("FEDERATION_ALLOW_INSECURE"),
          )
          .join("\n");
      stdout.on("data", (chunk: Buffer) => shown(chunk) && console.log(shown(chunk)));
      stderr.on("data", (chunk: Buffer) => shown(chunk) && console.error(shown(chunk)));
    },
    d1Persist: join(state, "v3", "d1"),
  });
}

/**
 * The publishing API in workerd into that D1: articles per second accepted one PUT at a time and in
 * batches, and an uncached reader's p99 while a batch of 1,000 is applied. The articles are a
 * pipeline's: each newer than every other, so none moves another's rank.
 */
async function apiFigures(mf: Miniflare, count: number): Promise<void> {
  const base = Date.now() - 3_600_000;
  const article = (i: number) => ({
    key: `api-bench-${i}`,
    article: {
      title: `API bench ${i}`,
      excerpt: "Sent over HTTP to the Worker.",
      publishedDateTime: new Date(base + i * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
      webUrl: `https://api-bench.example.com/${i}`,
      provider: { name: "API Bench", domain: "api-bench.example.com" },
      topics: ["AI"],
    },
  });
  const send = async (method: string, path: string, body: unknown) => {
    const response = await mf.dispatchFetch(`http://127.0.0.1${path}`, {
      method,
      headers: { Authorization: `Bearer ${API_SECRET}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    if (response.status >= 300) throw new Error(`${method} ${path}: status ${response.status}`);
  };
  console.log(
    `  publishing API in workerd, into D1 at ${count} articles (each new article the newest):`,
  );
  let next = 0;
  let started = performance.now();
  for (let i = 0; i < 100; i++, next++) {
    const { key, article: fields } = article(next);
    await send("PUT", `/api/articles/${key}`, fields);
  }
  console.log(
    `    one PUT at a time: ${perSecond(100, performance.now() - started)} articles/s (100 articles)`,
  );
  started = performance.now();
  for (let batch = 0; batch < 5; batch++) {
    const put = Array.from({ length: 100 }, () => article(next++));
    await send("POST", "/api/articles", { put });
  }
  console.log(
    `    batches of 100: ${perSecond(500, performance.now() - started)} articles/s (5 batches)`,
  );
  const reads: number[] = [];
  let applying = true;
  const reader = (async () => {
    while (applying) {
      const at = performance.now();
      await (await mf.dispatchFetch("http://127.0.0.1/feed.rss")).arrayBuffer();
      reads.push(performance.now() - at);
    }
  })();
  started = performance.now();
  await send("POST", "/api/articles", { put: Array.from({ length: 1000 }, () => article(next++)) });
  const batchMs = performance.now() - started;
  applying = false;
  await reader;
  console.log(
    `    one batch of 1000: ${batchMs.toFixed(0)} ms (${perSecond(1000, batchMs)} articles/s); an uncached /feed.rss meanwhile: p99 ${p99(reads).toFixed(1)} ms (${reads.length} reads)`,
  );
}

/**
 * Federation in workerd on that D1: 1,000 followers of @ai on 200 servers (one local node:http
 * server answering 202, each path prefix one server), then one new article through the API. Timed
 * from the PUT to the 200th signed delivery: the round that finds the article, the queue, and the
 * deliveries, all in the PUT's waitUntil.
 */
async function federationFigures(mf: Miniflare): Promise<void> {
  const inboxes = await countingInboxes();
  const { origin } = inboxes;
  try {
    const db = (await mf.getD1Database("DB")) as unknown as D1Like;
    // The first request starts federation: it records what is live, and posts none of it.
    await (await mf.dispatchFetch("http://127.0.0.1/feed.rss")).arrayBuffer();
    await until(
      async () => !!(await db.prepare("SELECT 1 FROM fed_meta WHERE key = 'round'").first()),
    );
    const followers = Array.from({ length: FOLLOWERS }, (_, n) => {
      const at = `${origin}/s${n % SERVERS}`;
      return db
        .prepare(
          "INSERT INTO fed_followers (account, actor, inbox, shared_inbox, follow, since) VALUES ('ai', ?1, ?2, ?3, ?4, '2026-12-01T00:00:00Z')",
        )
        .bind(`${at}/users/${n}`, `${at}/users/${n}/inbox`, `${at}/inbox`, `${at}/follows/${n}`);
    });
    await db.batch(followers);
    const started = performance.now();
    const response = await mf.dispatchFetch("http://127.0.0.1/api/articles/federated-bench", {
      method: "PUT",
      headers: { Authorization: `Bearer ${API_SECRET}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        title: "Federated from the edge",
        excerpt: "Sent over HTTP, posted to the fediverse.",
        publishedDateTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, "Z"),
        webUrl: "https://federation-bench.example.com/1",
        provider: { name: "Federation Bench", domain: "federation-bench.example.com" },
        topics: ["AI"],
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`PUT: status ${response.status}`);
    await until(async () => inboxes.received() >= SERVERS);
    const ms = performance.now() - started;
    console.log(
      `  federation in workerd: one new article to ${FOLLOWERS} followers on ${SERVERS} servers: ${inboxes.received()} signed deliveries ${ms.toFixed(0)} ms after the PUT (${perSecond(SERVERS, ms)} deliveries/s, round and queue included)`,
    );
  } finally {
    inboxes.close();
  }
}

const FOLLOWERS = 1_000;
const SERVERS = 200;

async function until(done: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
