/**
 * The publishing API on a Worker with D1 (miniflare's local SQLite, migrated
 * and filled as npm run publish:d1 does): every call visible in the feeds,
 * the rows left exactly as publish would compute them from the same
 * articles, one transaction per change set, a concurrent write checked
 * again, and the WebSub hub told of exactly the feeds that changed.
 */
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { d1ArticleFiles } from "../../src/api/d1-articles.js";
import type { Article } from "../../src/content/article.js";
import { workerOnD1 } from "./worker-on-d1.js";
import { buildIndex } from "../../src/index/index.js";
import { type D1State, STATE_QUERIES, planSync, stateOf } from "../../src/publish/d1-sync.js";
import type { D1Like, D1StatementLike } from "../../src/sources/d1-store.js";

const { DB } = env as unknown as { DB: D1Like };
const SECRET = "workers-d1-api-secret-0123456789";
const API_TOKENS = `pipeline:create,update,delete:${SECRET}`;
const STATS_TOKEN = "workers-d1-stats-token-0123456789";

/** The Worker on D1 with the API on (API_TOKENS), and what it left to do after answering. */
const workerWith = (vars: Record<string, string> = {}) =>
  workerOnD1({ DB, API_TOKENS, STATS_TOKEN }, vars);
const worker = workerWith();

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  worker.fetch(
    new Request(`http://localhost${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${SECRET}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );

let serial = 0;
/** An article's front matter; each gets its own URL unless given one. */
function fields(overrides: Record<string, unknown> = {}) {
  serial++;
  return {
    title: `Story ${serial}`,
    excerpt: `What happened in story ${serial}.`,
    publishedDateTime: "2026-11-30T09:00:00Z",
    webUrl: `https://news.example.com/story-${serial}`,
    provider: { name: "Example News", domain: "news.example.com" },
    topics: ["AI"],
    ...overrides,
  };
}

const itemTitles = async (path: string) => {
  const response = await worker.fetch(new Request(`http://localhost${path}`));
  if (response.status !== 200) return [];
  return ((await response.json()) as { items: { title: string }[] }).items.map(
    (item) => item.title,
  );
};
const versionNow = () => DB.prepare("SELECT value FROM meta WHERE key = 'version'").first();

/** Every row publish compares, as D1 holds them. */
async function rowsNow() {
  const [articles, groups, meta, links] = await DB.batch<Record<string, unknown>>([
    DB.prepare(
      "SELECT id, hash, provider_key, rank, provider_rank, topic_ranks FROM articles ORDER BY id",
    ),
    DB.prepare("SELECT kind, key, name, count, newest, logo FROM groups ORDER BY kind, key"),
    DB.prepare("SELECT key, value FROM meta WHERE key IN ('articles', 'newest') ORDER BY key"),
    DB.prepare(
      "SELECT topic_key, article_id, rank FROM article_topics ORDER BY topic_key, article_id",
    ),
  ]);
  return {
    articles: articles.results,
    groups: groups.results,
    meta: meta.results,
    links: links.results,
  };
}

/** Rows sorted by a name each gets: in the order SQL's ORDER BY gave the other side. */
const byName =
  <T>(name: (row: T) => string) =>
  (a: T, b: T) =>
    name(a) < name(b) ? -1 : 1;

/** The rows publish would write for the articles D1 holds: what the API's changes in place must give. */
async function rowsPublishWouldWrite() {
  const { results } = await DB.prepare("SELECT data FROM articles").all<{ data: string }>();
  const articles = results.map((row) => ({ ...(JSON.parse(row.data) as Article), file: "" }));
  const index = buildIndex(articles);
  const state = stateOf(index);
  return {
    articles: state.articles.sort(byName((row: { id: string }) => row.id)),
    groups: state.groups.sort(
      byName((row: { kind: string; key: string }) => `${row.kind} ${row.key}`),
    ),
    meta: [
      { key: "articles", value: String(index.articles.length) },
      { key: "newest", value: index.articles[0]?.published ?? "" },
    ],
    links: state.articles
      .flatMap((row) =>
        Object.entries(JSON.parse(row.topic_ranks) as Record<string, number>).map(
          ([topic_key, rank]) => ({ topic_key, article_id: row.id, rank }),
        ),
      )
      .sort(
        byName(
          (row: { topic_key: string; article_id: string }) => `${row.topic_key} ${row.article_id}`,
        ),
      ),
  };
}

describe("the article API on D1", () => {
  it("PUT, GET, replace with If-Match, DELETE and a batch, each visible in the feeds", async () => {
    const story = fields({ title: "Put through the API", topics: ["Edge Publishing"] });
    const created = await call("PUT", "/api/articles/2026-11-30-put", story);
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/articles/2026-11-30-put");
    const etag = created.headers.get("etag")!;
    expect(await itemTitles("/feed.json")).toContain("Put through the API");
    expect(await itemTitles("/topics/edge-publishing/feed.json")).toEqual(["Put through the API"]);

    const read = await call("GET", "/api/articles/2026-11-30-put");
    expect(read.headers.get("etag")).toBe(etag);
    expect(((await read.json()) as { article: { title: string } }).article.title).toBe(
      "Put through the API",
    );
    const markdown = await call("GET", "/api/articles/2026-11-30-put", undefined, {
      Accept: "text/markdown",
    });
    expect(await markdown.text()).toMatch(/^---\ntitle: Put through the API\n/);

    const stale = await call("PUT", "/api/articles/2026-11-30-put", story, {
      "If-Match": '"not-its-etag"',
    });
    expect(stale.status).toBe(412);
    const replaced = await call(
      "PUT",
      "/api/articles/2026-11-30-put",
      { ...story, title: "Replaced through the API" },
      { "If-Match": etag },
    );
    expect(replaced.status).toBe(200);
    expect(await itemTitles("/topics/edge-publishing/feed.json")).toEqual([
      "Replaced through the API",
    ]);

    const removed = await call("DELETE", "/api/articles/2026-11-30-put", undefined, {
      "If-Match": replaced.headers.get("etag")!,
    });
    expect(removed.status).toBe(204);
    expect(await itemTitles("/feed.json")).not.toContain("Replaced through the API");
    const topicPage = await worker.fetch(new Request("http://localhost/topics/edge-publishing/"));
    expect(topicPage.status).toBe(404);
    expect((await call("GET", "/api/articles/2026-11-30-put")).status).toBe(404);

    const batch = {
      put: [1, 2, 3].map((n) => ({
        key: `2026-11-29-batch-${n}`,
        article: fields({ title: `Batch ${n}`, topics: ["Batches"] }),
      })),
    };
    const applied = await call("POST", "/api/articles", batch);
    expect(applied.status).toBe(200);
    expect((await itemTitles("/topics/batches/feed.json")).sort()).toEqual([
      "Batch 1",
      "Batch 2",
      "Batch 3",
    ]);
    // Sent again, it changes nothing: not even the content version.
    const version = await versionNow();
    const again = (await (await call("POST", "/api/articles", batch)).json()) as {
      results: { result: string }[];
    };
    expect(again.results.map((result) => result.result)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    expect(await versionNow()).toEqual(version);
  });

  it("leaves every rank, count, name, logo and date as publish computes them from the same articles", async () => {
    const logo = { width: 64, height: 64 };
    const wire = { name: "The Wire", domain: "wire.example.org" };
    // Out of date order, with a tie on the date, two spellings of one topic, and a logo.
    const dates = [
      "2026-10-01T08:00:00Z",
      "2026-11-15T08:00:00Z",
      "2026-11-15T08:00:00Z",
      "2025-01-01T00:00:00Z",
    ];
    for (const [n, date] of dates.entries()) {
      const response = await call(
        "PUT",
        `/api/articles/order-${n}`,
        fields({
          publishedDateTime: date,
          // The Wire's logo changed between its two articles: the newest one's is the group's.
          provider:
            n % 2
              ? { ...wire, images: [{ ...logo, url: `https://wire.example.org/logo-${n}.png` }] }
              : { name: "Example News", domain: "news.example.com" },
          topics: n === 3 ? ["machine learning", "Ranks"] : ["Machine Learning", "Ranks"],
        }),
      );
      expect(response.status).toBe(201);
    }
    expect(await rowsNow()).toEqual(await rowsPublishWouldWrite());

    // A replace that moves an article to another date, provider and topics; a delete from the middle.
    await call(
      "PUT",
      "/api/articles/order-1",
      fields({ publishedDateTime: "2024-06-01T00:00:00Z", topics: ["Other"] }),
    );
    await call("DELETE", "/api/articles/order-2");
    // An article publish wrote from a file, replaced through the API by its URL: the same item, not a second one.
    const { results } = await DB.prepare(
      "SELECT data FROM articles WHERE id NOT IN (SELECT article_id FROM article_sources)",
    ).all<{ data: string }>();
    const seeded = JSON.parse(results[0].data) as Article;
    const taken = await call(
      "PUT",
      "/api/articles/from-a-file",
      fields({
        title: "Taken over",
        webUrl: seeded.url,
        publishedDateTime: seeded.published,
        provider: seeded.provider,
      }),
    );
    expect(taken.status).toBe(201);
    expect(await rowsNow()).toEqual(await rowsPublishWouldWrite());
    const ids = await DB.prepare("SELECT id FROM articles WHERE id = ?1").bind(seeded.id).all();
    expect(ids.results).toHaveLength(1);
  });

  it("refuses a second key for a URL already published through the API: 409, nothing written", async () => {
    const story = fields();
    expect((await call("PUT", "/api/articles/first-key", story)).status).toBe(201);
    const before = await rowsNow();
    const second = await call("PUT", "/api/articles/second-key", { ...story, title: "Again" });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { message: string } }).error.message).toMatch(
      /published already, as first-key/,
    );
    expect(await rowsNow()).toEqual(before);
  });

  it("two concurrent create-only PUTs of one key: one wins, the other is told; others all land", async () => {
    const story = fields({ title: "Raced" });
    const statuses = await Promise.all(
      [0, 1].map(() =>
        call("PUT", "/api/articles/raced", story, { "If-None-Match": "*" }).then((r) => r.status),
      ),
    );
    expect(statuses.sort()).toEqual([201, 412]);
    const many = await Promise.all(
      [0, 1, 2, 3, 4].map((n) =>
        call("PUT", `/api/articles/together-${n}`, fields({ topics: ["Together"] })),
      ),
    );
    expect(many.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    expect(await itemTitles("/topics/together/feed.json")).toHaveLength(5);
    expect(await rowsNow()).toEqual(await rowsPublishWouldWrite());
  });
});

/** The real binding, with a statement that fails put in the middle of every batch that writes. */
function failingMidway(db: D1Like): D1Like {
  return {
    prepare: (sql) => db.prepare(sql),
    batch: <T>(statements: D1StatementLike[]) =>
      statements.length > 10
        ? db.batch<T>([
            ...statements.slice(0, statements.length / 2),
            db.prepare("SELECT json('a failure in the middle')"),
            ...statements.slice(statements.length / 2),
          ])
        : db.batch<T>(statements),
  };
}

describe("a D1 failure in the middle of a change set", () => {
  it("applies nothing of it", async () => {
    const before = await rowsNow();
    const version = await versionNow();
    const files = d1ArticleFiles(failingMidway(DB), { now: () => Date.now() });
    const changes = [1, 2, 3].map((n) => ({
      key: `midway-${n}`,
      text: `---\n${JSON.stringify(fields({ title: `Midway ${n}` }))}\n---\n`,
    }));
    await expect(files.apply(changes, () => undefined)).rejects.toThrow(/malformed JSON/);
    expect(await rowsNow()).toEqual(before);
    expect(await versionNow()).toEqual(version);
    expect(await files.read("midway-1")).toBeUndefined();
  });
});

describe("WebSub, from the Worker on D1", () => {
  const hubUrl = inject("hubUrl");
  const received = async () => (await (await fetch(hubUrl)).json()) as string[][];
  const site = workerWith({ WEBSUB_HUBS: hubUrl, PUBLIC_URL: "https://feeds.example.com" });
  const send = async (key: string, body: unknown) => {
    const response = await site.fetch(
      new Request(`https://feeds.example.com/api/articles/${key}`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${SECRET}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
    await site.settled();
    return response.status;
  };
  let heard = 0;
  beforeAll(async () => {
    heard = (await received()).length;
  });

  it("tells the hub of exactly the feeds a live article is in; a scheduled one, of nothing yet", async () => {
    expect(
      await send(
        "announced",
        fields({
          topics: ["Hub News"],
          provider: { name: "Hubbed", domain: "hubbed.example.com" },
        }),
      ),
    ).toBe(201);
    const told = (await received()).slice(heard);
    expect(told).toHaveLength(1);
    const feeds = ["/feed", "/providers/hubbed.example.com/feed", "/topics/hub-news/feed"];
    expect(told[0].sort()).toEqual(
      feeds
        .flatMap((feed) =>
          ["atom", "json", "rss"].map((ext) => `https://feeds.example.com${feed}.${ext}`),
        )
        .sort(),
    );
    expect(await send("later", fields({ publishedDateTime: "2031-01-01T00:00:00Z" }))).toBe(201);
    expect((await received()).slice(heard)).toHaveLength(1);
  });
});

// 101 writes to local D1, each its own batch: seconds on a busy machine.
describe("the record of writes", { timeout: 30_000 }, () => {
  it("keeps the last 100 writes, each with its token and keys, and /stats/ lists them", async () => {
    const files = d1ArticleFiles(DB, { now: () => Date.now() });
    for (let n = 0; n < 101; n++)
      await files.apply(
        [{ key: `recorded-${n}`, text: `---\n${JSON.stringify(fields())}\n---\n` }],
        () => undefined,
        "loop",
      );
    expect(await DB.prepare("SELECT COUNT(*) AS n FROM api_writes").first()).toEqual({ n: 100 });
    expect((await call("DELETE", "/api/articles/recorded-0")).status).toBe(204);
    const stats = await worker.fetch(
      new Request("http://localhost/stats.json", {
        headers: { Authorization: `Bearer ${STATS_TOKEN}` },
      }),
    );
    const { writes } = (await stats.json()) as {
      writes: { at: string; token: string; summary: string }[];
    };
    expect(writes).toHaveLength(100);
    expect(writes[0]).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      token: "pipeline",
      summary: "recorded-0 deleted",
    });
    expect(writes[1]).toMatchObject({ token: "loop", summary: "recorded-100 created" });
    const page = await worker.fetch(
      new Request("http://localhost/stats/", {
        headers: { Authorization: `Bearer ${STATS_TOKEN}` },
      }),
    );
    expect(await page.text()).toContain('<th scope="row">pipeline</th><td>recorded-0 deleted</td>');
  });
});

describe("a publish after the API wrote", () => {
  it("makes D1 what the folder holds: an API article the folder lacks goes, with its file", async () => {
    expect((await call("PUT", "/api/articles/not-in-the-folder", fields())).status).toBe(201);
    const [articles, groups, meta] = await DB.batch<Record<string, string>>(
      Object.values(STATE_QUERIES).map((sql) => DB.prepare(sql)),
    );
    const current = {
      articles: articles.results,
      groups: groups.results,
      meta: Object.fromEntries(meta.results.map((row) => [row.key, row.value])),
    } as unknown as D1State;
    const plan = planSync(buildIndex([]), current);
    await DB.batch(plan.statements.map((sql) => DB.prepare(sql)));
    expect((await call("GET", "/api/articles/not-in-the-folder")).status).toBe(404);
    expect(await DB.prepare("SELECT COUNT(*) AS n FROM article_sources").first()).toEqual({ n: 0 });
    expect(await itemTitles("/feed.json")).toEqual([]);
  });
});
