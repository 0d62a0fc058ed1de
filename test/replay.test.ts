/**
 * The Node server's fast path (src/runtime/replay.ts) against the router it
 * stands in front of: each request is sent twice over real HTTP, and the
 * second answer, replayed, must have the router's status, headers and bytes:
 * every encoding, HEAD, both validators and their 304s. Then what is never
 * replayed (credentials, a stale version), and the live server's statistics,
 * which count a replayed request as they count the router's.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { startLiveSite } from "../src/entry/live-site.js";
import { createItemFragments } from "../src/feeds/fragments.js";
import { createMemoryStore } from "../src/index/store.js";
import { createNodeApp } from "../src/runtime/node-app.js";
import { createReplay } from "../src/runtime/replay.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT, fixtureApp } from "./helpers.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request on a connection of its own; the answer without Date (the server stamps each). */
function exchange(
  origin: string,
  path: string,
  method = "GET",
  headers: Record<string, string> = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const sent = httpRequest(
      `${origin}${path}`,
      { method, headers, agent: false },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const { date: _, ...rest } = response.headers;
          resolve({ status: response.statusCode!, headers: rest, body: Buffer.concat(chunks) });
        });
      },
    );
    sent.on("error", reject);
    sent.end();
  });
}

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("the fast path, against the router", () => {
  let origin: string;
  let server: Server;
  let version = "v1";
  const replayed: number[] = [];

  beforeAll(async () => {
    const { index, config } = await fixtureApp({ PUBLIC_URL: "http://127.0.0.1" });
    const store = createMemoryStore(index, "test", { now: Date.now });
    const app = createNodeApp({ store, config, itemFragments: createItemFragments() });
    const replay = createReplay({
      tag: () => version,
      observe: (_, status) => replayed.push(status),
    });
    server = createServer(replay.listener((request, env) => app.fetch(request, env)));
    origin = await listen(server);
  });
  afterAll(() => server.close());

  const CASES: [string, string, Record<string, string>][] = [
    ["GET", "/feed.rss", { "accept-encoding": "gzip" }],
    ["GET", "/feed.rss", { "accept-encoding": "br" }],
    ["GET", "/feed.rss", {}],
    ["HEAD", "/feed.rss", { "accept-encoding": "gzip" }],
    ["GET", "/topics/ai/feed.atom", { "accept-encoding": "gzip, deflate, br" }],
    ["GET", "/feed.json?limit=2", { "accept-encoding": "gzip" }],
    ["GET", "/topics/ai/", { accept: "text/html", "accept-encoding": "gzip" }],
    ["GET", "/feeds.opml", {}],
  ];

  it.each(CASES)(
    "%s %s %j: the replay is the router's answer, byte for byte",
    async (method, path, headers) => {
      const before = replayed.length;
      const routed = await exchange(origin, path, method, headers);
      await settle();
      const again = await exchange(origin, path, method, headers);
      expect(replayed.length).toBe(before + 1);
      expect(again).toEqual(routed);
      expect(routed.status).toBe(200);
    },
  );

  it("replays the router's 304s to If-None-Match and If-Modified-Since, and its 200 to a stale validator", async () => {
    const first = await exchange(origin, "/feed.atom", "GET", { "accept-encoding": "gzip" });
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers["last-modified"]);
    for (const conditional of [
      { "if-none-match": etag },
      { "if-modified-since": lastModified },
      { "if-none-match": '"stale"' },
      { "if-none-match": "" },
    ] as Record<string, string>[]) {
      const headers = { "accept-encoding": "gzip", ...conditional };
      const routed = await exchange(origin, "/feed.atom", "GET", headers);
      await settle();
      const before = replayed.length;
      const again = await exchange(origin, "/feed.atom", "GET", headers);
      expect(replayed.length, JSON.stringify(conditional)).toBe(before + 1);
      expect(again).toEqual(routed);
    }
    expect(
      (
        await exchange(origin, "/feed.atom", "GET", {
          "accept-encoding": "gzip",
          "if-none-match": etag,
        })
      ).status,
    ).toBe(304);
  });

  it("never replays to a request with credentials or a range, nor a 404, nor under another content version", async () => {
    await exchange(origin, "/feed.rss", "GET", { "accept-encoding": "gzip" });
    await settle();
    let before = replayed.length;
    for (const personal of [
      { cookie: "a=b" },
      { authorization: "Bearer x" },
      { range: "bytes=0-10" },
    ] as Record<string, string>[])
      await exchange(origin, "/feed.rss", "GET", { "accept-encoding": "gzip", ...personal });
    await exchange(origin, "/nowhere", "GET", {});
    await settle();
    await exchange(origin, "/nowhere", "GET", {});
    expect(replayed.length).toBe(before);
    version = "v2";
    before = replayed.length;
    await exchange(origin, "/feed.rss", "GET", { "accept-encoding": "gzip" });
    expect(replayed.length).toBe(before);
  });
});

describe("the live server's fast path", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  const work = mkdtempSync(join(tmpdir(), "feedloom-replay-"));
  const data = join(work, "data");
  const TOKEN = "a-statistics-token-of-32-characters";
  let origin: string;
  let server: Server;
  let close: () => void;

  beforeAll(async () => {
    cpSync(FIXTURES, data, { recursive: true });
    const env = {
      STATE_DIR: join(work, "state"),
      STATS_TOKEN: TOKEN,
      FEEDLOOM_CACHE_DIR: "off",
      DATA_RESCAN_SECONDS: "1",
    };
    const site = await startLiveSite({ dir: data, config: loadConfig(env), env });
    server = createServer(site.listener);
    origin = await listen(server);
    close = () => site.close();
  });
  afterAll(() => {
    server.close();
    close();
    rmSync(work, { recursive: true, force: true });
  });

  it("counts a reader whose requests were all replayed", async () => {
    const feedly = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 7 subscribers; )";
    await exchange(origin, "/feed.rss", "GET", { "user-agent": "Newsboat/2.36 (Linux x86_64)" });
    await settle();
    await exchange(origin, "/feed.rss", "GET", { "user-agent": feedly });
    const deadline = Date.now() + 10_000;
    let count = 0;
    while (count !== 8 && Date.now() < deadline) {
      const stats = JSON.parse(
        (
          await exchange(origin, "/stats.json", "GET", { authorization: `Bearer ${TOKEN}` })
        ).body.toString(),
      );
      count =
        stats.feeds.find((feed: { path: string }) => feed.path === "/feed.rss")?.subscribers ?? 0;
      await settle();
    }
    // Newsboat, counted by the router; Feedly's 7, counted from its replayed request.
    expect(count).toBe(8);
  });

  it("serves a saved article at once: a reload changes the version the replays were kept under", async () => {
    await exchange(origin, "/feed.json", "GET", {});
    await settle();
    writeFileSync(
      join(data, "2026-12-02-fresh.md"),
      '---\ntitle: "Fresh off the press"\npublishedDateTime: 2026-12-01T10:00:00Z\nwebUrl: "https://fresh.example.com/1"\nprovider:\n  name: Fresh\n  domain: fresh.example.com\ntopics:\n  - AI\n---\n',
    );
    const deadline = Date.now() + 10_000;
    let body = "";
    while (!body.includes("Fresh off the press") && Date.now() < deadline) {
      body = (await exchange(origin, "/feed.json", "GET", {})).body.toString();
      await settle();
    }
    expect(body).toContain("Fresh off the press");
  });
});
