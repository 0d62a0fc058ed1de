/**
 * The Worker reading from D1 (miniflare's local SQLite) instead of its bundle:
 * the same bytes on every route, about `limit` rows read per feed page, and a
 * publish visible at once, with no stale edge-cache entry ever matched.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { itServesDigestsAsNode, itServesWhatNodeServes } from "../same-as-node.js";
import { loadConfig } from "../../src/config.js";
import {
  createD1Store,
  type D1Like,
  archiveCost,
  pageCost,
  spanCost,
} from "../../src/sources/d1-store.js";
import { createApp } from "../../src/http/app.js";
import { buildIndex } from "../../src/index/index.js";
import { createMemoryStore } from "../../src/index/store.js";
import { largeCorpus } from "../large-corpus.js";

const worker = exports.default as { fetch(request: Request): Promise<Response> };
const get = (path: string, init?: RequestInit) =>
  worker.fetch(new Request(`http://localhost${path}`, init));
const { DB, LARGE } = env as unknown as { DB: D1Like; LARGE: D1Like };

describe("the Worker on D1 serves what Node serves from data/", () => {
  itServesWhatNodeServes(get);
});

describe("the Worker on D1 makes Node's digests", () => {
  itServesDigestsAsNode(get);
});

describe("rows read per feed page, at 3,000 articles", () => {
  const config = loadConfig({});
  const rowsFor = (scope: Parameters<typeof pageCost>[1], query: Parameters<typeof pageCost>[2]) =>
    pageCost(LARGE, scope, query);

  it.each([
    ["everything", { kind: "all" } as const],
    ["a big topic (all 3,000)", { kind: "topic", key: "ai" } as const],
    ["a small topic (300)", { kind: "topic", key: "rare" } as const],
    ["a small provider (50)", { kind: "provider", key: "news7.example.com" } as const],
  ])("%s: a 50-item page reads 50 to 105 rows, not the corpus", async (_label, scope) => {
    for (const page of scope.kind === "provider" ? [1] : [1, 3]) {
      const { rows, rowsRead } = await rowsFor(scope, { limit: config.defaultLimit, page });
      expect(rows).toBe(50);
      expect(rowsRead).toBeGreaterThanOrEqual(50);
      // A topic reads its links, then the articles; each adds the one row that holds the scope's count.
      expect(rowsRead).toBeLessThanOrEqual(2 * 50 + 5);
    }
  });

  it("a digest's 30 days of a 3,000-article topic read those days' rows, not the topic", async () => {
    // The large corpus has an article an hour from 1 January 2022: 30 days are 720 of them.
    const to = Date.UTC(2022, 3, 1);
    const span = await spanCost(LARGE, { kind: "topic", key: "ai" }, to - 30 * 86_400_000, to);
    expect(span.rows).toBe(720);
    expect(span.rowsRead).toBeLessThanOrEqual(2 * 720 + 5);
    const all = await spanCost(LARGE, { kind: "all" }, to - 30 * 86_400_000, to);
    expect(all.rowsRead).toBeLessThanOrEqual(720 + 5);
  });

  it("a deep page reads what page 1 does, and only a search reads the scope", async () => {
    const deep = await rowsFor({ kind: "all" }, { limit: 50, page: 55 });
    expect(deep.rows).toBe(50);
    expect(deep.rowsRead).toBeLessThanOrEqual(50 + 5);
    const search = await rowsFor({ kind: "all" }, { limit: 50, page: 1, q: "chips" });
    expect(search.rows).toBe(50);
    expect(search.rowsRead).toBeGreaterThanOrEqual(3_000);
  });

  it("gives the same slices as the plan it was written from: order, totals, filters", async () => {
    const store = createD1Store(LARGE, { now: () => Date.now() });
    const all = await store.slice({ kind: "all" }, { limit: 5, page: 1 });
    expect(all.total).toBe(3_000);
    expect(all.articles.map((article) => article.title)).toEqual(
      [2999, 2998, 2997, 2996, 2995].map((i) => `Article ${i} about ${i % 2 ? "chips" : "robots"}`),
    );
    const rare = await store.slice(
      { kind: "topic", key: "rare" },
      { limit: 10, page: 30, since: "2022-01-01T00:00:00Z" },
    );
    expect(rare.total).toBe(300);
    expect(rare.articles.map((article) => article.title)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Article ${(9 - i) * 10} about robots`),
    );
    const searched = await store.slice(
      { kind: "provider", key: "news7.example.com" },
      { limit: 100, page: 1, q: "chips" },
    );
    expect(searched.total).toBe(50);
    const pastTheEnd = await store.slice({ kind: "all" }, { limit: 50, page: 99, q: "robots" });
    expect(pastTheEnd).toMatchObject({ articles: [], total: 1_500 });
  });
});

describe("archives on D1, at 3,000 articles", () => {
  const config = loadConfig({ PUBLIC_URL: "https://feeds.example.com" });
  const now = () => Date.UTC(2026, 10, 28);

  it("read an archive as a range of ranks: about `limit` rows, however old", async () => {
    for (const scope of [
      { kind: "all" },
      { kind: "topic", key: "ai" },
      { kind: "topic", key: "rare" },
      { kind: "provider", key: "news7.example.com" },
    ] as const) {
      for (const offset of scope.kind === "provider" ? [0] : [0, 50]) {
        const { rows, rowsRead } = await archiveCost(LARGE, scope, offset, 50);
        expect(rows).toBe(50);
        expect(rowsRead).toBeLessThanOrEqual(2 * 50 + 5);
      }
    }
    // Positions from the oldest: the rare topic's are articles 0, 10, 20 …
    const archive = await createD1Store(LARGE, { now }).fromOldest(
      { kind: "topic", key: "rare" },
      20,
      10,
    );
    expect(archive.articles.map((article) => article.title)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Article ${(29 - i) * 10} about robots`),
    );
    expect(archive.total).toBe(300);
  });

  it("serve the same bytes as the in-memory index, in workerd", async () => {
    const fromD1 = createApp({ store: createD1Store(LARGE, { now }), config });
    const fromMemory = createApp({
      store: createMemoryStore(buildIndex(largeCorpus()), "memory", { now }),
      config,
    });
    const paths = [
      "/feed.rss",
      "/feed/archive/1.atom",
      "/feed/archive/59.json",
      "/feed/archive/60.rss",
      "/topics/rare/feed.atom",
      "/topics/rare/feed/archive/6.rss",
      "/providers/news7.example.com/feed.json",
      "/providers/news7.example.com/feed/archive/1.atom",
      "/topics/ai/archive/150/",
      "/providers/news7.example.com/archive/2/",
    ];
    for (const path of paths) {
      const [d1, memory] = await Promise.all([
        fromD1.request(`https://feeds.example.com${path}`),
        fromMemory.request(`https://feeds.example.com${path}`),
      ]);
      expect([d1.status, d1.headers.get("location")], path).toEqual([
        memory.status,
        memory.headers.get("location"),
      ]);
      expect(await d1.text(), path).toBe(await memory.text());
    }
    // 3,000 articles fill 60 archives of 50: the 61st is still the feed's.
    expect((await fromD1.request("https://feeds.example.com/feed/archive/61.rss")).status).toBe(
      302,
    );
  });
});

describe("a publish to D1", () => {
  it("is visible at the next request: the content version comes from the database", async () => {
    const before = await get("/feed.json");
    const beforeBody = await before.text();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the edge-cache put runs in waitUntil
    const article = {
      id: "urn:uuid:00000000-0000-5000-8000-000000000001",
      file: "",
      title: "Published just now",
      summary: "",
      published: "2026-01-01T00:00:00Z", // after every sample article, before now
      url: "https://example.com/just-now",
      provider: { name: "Example", domain: "example.com" },
      topics: [],
      related: [],
      isPublished: true,
    };
    await DB.batch([
      DB.prepare(
        "INSERT INTO articles (id, published, provider_key, rank, provider_rank, topic_ranks, search, data, hash) VALUES (?1, ?2, 'example.com', (SELECT value FROM meta WHERE key = 'articles') + 1, 1, '{}', '', ?3, 'h')",
      ).bind(article.id, article.published, JSON.stringify(article)),
      DB.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'articles'"),
      DB.prepare("UPDATE meta SET value = 'after-publish' WHERE key = 'version'"),
    ]);
    const after = (await (await get("/feed.json")).json()) as { items: { title: string }[] };
    expect(after.items[0].title).toBe("Published just now");
    expect(JSON.stringify(after)).not.toBe(beforeBody);
  });
});
