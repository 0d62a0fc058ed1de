/**
 * A scheduled article on the Worker reading D1: published into the database
 * ahead of its time (as npm run publish:d1 writes it), it stays out of every
 * feed, directory, count and hint until then, and is served for the first
 * request after it; the content version names it until it goes out. The
 * clock is set with vitest's fake time, which workerd's Date follows.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createWorker } from "../../src/entry/worker-app.js";
import type { D1Like } from "../../src/sources/d1-store.js";

const { DB } = env as unknown as { DB: D1Like };
const DUE = "2030-06-01T08:00:00Z";
const article = {
  id: "urn:uuid:00000000-0000-5000-8000-00000000aaaa",
  file: "",
  title: "Scheduled in D1",
  summary: "",
  published: DUE,
  url: "https://later.example.com/scheduled",
  provider: { name: "Later Wire", domain: "later.example.com" },
  topics: ["Later"],
  related: [],
  isPublished: true,
};
const worker = createWorker(
  JSON.stringify({ version: "d1", articles: [], topics: [], providers: [] }),
);
const ctx = {
  waitUntil: () => undefined,
  passThroughOnException: () => undefined,
  props: {},
} as unknown as Parameters<typeof worker.fetch>[2];
const get = (path: string) =>
  worker.fetch(new Request(`https://feeds.example.com${path}`), { DB }, ctx);
const titles = async (path: string) => {
  const response = await get(path);
  return response.status === 200
    ? ((await response.json()) as { items: { title: string }[] }).items.map((item) => item.title)
    : response.status;
};
const topicKeys = async () =>
  (
    (await (await get("/topics.json")).json()) as { topics: { key: string; count: number }[] }
  ).topics.map((topic) => topic.key);

beforeAll(async () => {
  // The rows npm run publish:d1 writes for one more article: itself at the top rank, its topic link, its groups, the counts.
  await DB.batch([
    DB.prepare(
      "INSERT INTO articles (id, published, provider_key, rank, provider_rank, topic_ranks, search, data, hash) VALUES (?1, ?2, 'later.example.com', (SELECT value FROM meta WHERE key = 'articles') + 1, 1, '{\"later\":1}', 'scheduled in d1', ?3, 'h')",
    ).bind(article.id, DUE, JSON.stringify(article)),
    DB.prepare(
      "INSERT INTO article_topics (topic_key, published, article_id, rank) VALUES ('later', ?1, ?2, 1)",
    ).bind(DUE, article.id),
    DB.prepare(
      "INSERT INTO groups (kind, key, name, count, newest, logo) VALUES ('topic', 'later', 'Later', 1, ?1, NULL), ('provider', 'later.example.com', 'Later Wire', 1, ?1, NULL)",
    ).bind(DUE),
    DB.prepare(
      "UPDATE groups SET count = count + 1, newest = ?1 WHERE kind = 'topic' AND key = 'ai'",
    ).bind(DUE),
    DB.prepare("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'articles'"),
    DB.prepare("UPDATE meta SET value = ?1 WHERE key = 'newest'").bind(DUE),
    DB.prepare("UPDATE meta SET value = 'with-scheduled' WHERE key = 'version'"),
  ]);
  await DB.prepare(
    "UPDATE articles SET topic_ranks = '{\"later\":1,\"ai\":' || (SELECT count FROM groups WHERE kind = 'topic' AND key = 'ai') || '}' WHERE id = ?1",
  )
    .bind(article.id)
    .all();
  await DB.prepare(
    "INSERT INTO article_topics (topic_key, published, article_id, rank) VALUES ('ai', ?1, ?2, (SELECT count FROM groups WHERE kind = 'topic' AND key = 'ai'))",
  )
    .bind(DUE, article.id)
    .all();
});
afterEach(() => vi.useRealTimers());

describe("a scheduled article on D1", () => {
  it("is nowhere before its time: feeds, topic feeds, directories, counts, hints", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-06-01T07:59:59Z"));
    const everything = await titles("/feed.json");
    expect(everything).not.toContain("Scheduled in D1");
    expect(await titles("/topics/ai/feed.json")).not.toContain("Scheduled in D1");
    expect(await titles("/topics/later/feed.json")).toBe(404);
    expect(await titles("/providers/later.example.com/feed.json")).toBe(404);
    expect(await topicKeys()).not.toContain("later");
    const home = await (await get("/")).text();
    expect(home).not.toContain("Scheduled in D1");
    const hint = await (await get("/topics/latr/feed.json")).text();
    expect(hint).not.toContain("later");
    // Page 1 of the big topic is still a full page of what is out, in order.
    const ai = (await (await get("/topics/ai/feed.json?limit=2")).json()) as {
      items: { date_published: string }[];
    };
    expect(ai.items).toHaveLength(2);
    expect(ai.items.every((item) => item.date_published < DUE)).toBe(true);
  });

  it("is everywhere from its second on, without a publish or a deploy", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(DUE));
    expect((await titles("/feed.json")) as string[]).toContain("Scheduled in D1");
    expect(((await titles("/feed.json")) as string[])[0]).toBe("Scheduled in D1");
    expect(await titles("/topics/later/feed.json")).toEqual(["Scheduled in D1"]);
    expect(((await titles("/topics/ai/feed.json")) as string[])[0]).toBe("Scheduled in D1");
    expect(await titles("/providers/later.example.com/feed.json")).toEqual(["Scheduled in D1"]);
    expect(await topicKeys()).toContain("later");
  });
});
