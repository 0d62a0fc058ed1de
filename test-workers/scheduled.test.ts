/**
 * A scheduled article on the Worker with its bundle: shipped in the bundle,
 * out of every answer until its time, then in them for the first request
 * after it, through the edge cache too (its key names the content version,
 * which names the scheduled articles still to come). The clock is set with
 * vitest's fake time, which workerd's Date follows.
 */
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import type { Article } from "../src/content/article.js";
import { Hono } from "hono";
import { feedloom } from "../src/entry/feedloom-worker.js";
import { RELEASE_CHECK_MINUTES, createWorker } from "../src/entry/worker-app.js";
import { buildIndex } from "../src/index/index.js";
import { edgeCacheKey } from "../src/runtime/edge-cache.js";
import { toBundle } from "../src/sources/bundle.js";

const DUE = "2030-06-01T08:00:00Z";

function article(slug: string, published: string, topic: string): Article {
  return {
    id: `urn:uuid:00000000-0000-5000-8000-${slug.padStart(12, "0")}`,
    file: "",
    title: `Article ${slug}`,
    summary: "",
    published,
    url: `https://example.com/${slug}`,
    provider: { name: "Example", domain: "example.com" },
    topics: [topic],
    related: [],
    isPublished: true,
  };
}

const bundle = toBundle(
  buildIndex([article("1", "2030-01-01T00:00:00Z", "Now"), article("2", DUE, "Later")]),
  "bundle-v1",
);
const pending: Promise<unknown>[] = [];
const ctx = {
  waitUntil: (promise: Promise<unknown>) => pending.push(promise),
  passThroughOnException: () => undefined,
  props: {},
} as unknown as Parameters<ReturnType<typeof createWorker>["fetch"]>[2];
const env = { SITE_TITLE: "Scheduled test" };

afterEach(() => vi.useRealTimers());

describe("a scheduled article on the Worker's bundle", () => {
  it("stays out until its time, then is served for the first request after it, edge cache included", async () => {
    const worker = createWorker(JSON.stringify(bundle));
    const titles = async (path: string) => {
      const response = await worker.fetch(
        new Request(`https://feeds.example.com${path}`),
        env,
        ctx,
      );
      return response.status === 200
        ? ((await response.json()) as { items: { title: string }[] }).items.map(
            (item) => item.title,
          )
        : response.status;
    };
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-06-01T07:59:59Z"));
    expect(await titles("/feed.json")).toEqual(["Article 1"]);
    expect(await titles("/topics/later/feed.json")).toBe(404);
    // The answer before its time sits in the edge cache, under a key that names one article still to come.
    await Promise.all(pending.splice(0));
    expect(
      await caches.default.match(
        new Request(edgeCacheKey("https://feeds.example.com/feed.json", "bundle-v1~1@2030-06-01")),
      ),
    ).toBeDefined();
    vi.setSystemTime(new Date(DUE));
    expect(await titles("/feed.json")).toEqual(["Article 2", "Article 1"]);
    expect(await titles("/topics/later/feed.json")).toEqual(["Article 2"]);
  });
});

describe("the Cron Trigger", () => {
  it("tells the hub of the feeds of each scheduled article that went out in its slot, once", async () => {
    const worker = createWorker(JSON.stringify(bundle));
    const hub = inject("hubUrl");
    const received = async () => (await (await fetch(hub)).json()) as string[][];
    const before = (await received()).length;
    const cronEnv = { ...env, WEBSUB_HUBS: hub, PUBLIC_URL: "https://feeds.example.com" };
    const run = async (scheduledTime: number) => {
      await worker.scheduled({ scheduledTime }, cronEnv, ctx);
      await Promise.all(pending.splice(0));
    };
    const slot = RELEASE_CHECK_MINUTES * 60_000;
    await run(Date.parse(DUE) - slot); // the slot before: nothing went out
    await run(Date.parse(DUE)); // the slot that ends at its time
    await run(Date.parse(DUE) + slot); // the slot after: already told
    const posts = (await received()).slice(before);
    expect(posts).toHaveLength(1);
    const paths = posts[0].map((url) => new URL(url).pathname).sort();
    expect(paths).toEqual(
      ["/feed", "/providers/example.com/feed", "/topics/later/feed"]
        .flatMap((path) => [`${path}.atom`, `${path}.json`, `${path}.rss`])
        .sort(),
    );
  });

  it("tells the hub of the digests when a day closed in its slot: everything's, and each topic's that had stories that day", async () => {
    const worker = createWorker(JSON.stringify(bundle));
    const hub = inject("hubUrl");
    const received = async () => (await (await fetch(hub)).json()) as string[][];
    const before = (await received()).length;
    // The slot from 23:55 to midnight UTC (the default DIGEST_TIMEZONE) ends 1 June 2030, the day article 2 went out.
    await worker.scheduled(
      { scheduledTime: Date.parse("2030-06-02T00:00:00Z") },
      { ...env, WEBSUB_HUBS: hub, PUBLIC_URL: "https://feeds.example.com" },
      ctx,
    );
    await Promise.all(pending.splice(0));
    const paths = (await received())
      .slice(before)
      .flat()
      .map((url) => new URL(url).pathname)
      .sort();
    expect(paths).toEqual(
      ["/digest/daily", "/topics/later/digest/daily"]
        .flatMap((path) => [`${path}.atom`, `${path}.json`, `${path}.rss`])
        .sort(),
    );
  });

  it("runs for feedloom() mounted in an app of one's own, under PUBLIC_URL's path", async () => {
    const news = feedloom({ content: JSON.stringify(bundle) });
    new Hono().route("/news", news);
    const hub = inject("hubUrl");
    const received = async () => (await (await fetch(hub)).json()) as string[][];
    const before = (await received()).length;
    await news.scheduled(
      { scheduledTime: Date.parse(DUE) },
      { ...env, WEBSUB_HUBS: hub, PUBLIC_URL: "https://example.org/news" },
      ctx,
    );
    await Promise.all(pending.splice(0));
    const urls = (await received()).slice(before).flat();
    expect(urls).toContain("https://example.org/news/topics/later/feed.rss");
    expect(urls.every((url) => url.startsWith("https://example.org/news/"))).toBe(true);
  });
});
