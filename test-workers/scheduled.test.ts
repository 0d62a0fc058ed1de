/**
 * A scheduled article on the Worker with its bundle: shipped in the bundle,
 * out of every answer until its time, then in them for the first request
 * after it, through the edge cache too (its key names the content version,
 * which names the scheduled articles still to come). The clock is set with
 * vitest's fake time, which workerd's Date follows.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Article } from "../src/content/article.js";
import { createWorker } from "../src/entry/worker-app.js";
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

const bundle = toBundle(buildIndex([article("1", "2030-01-01T00:00:00Z", "Now"), article("2", DUE, "Later")]), "bundle-v1");
const pending: Promise<unknown>[] = [];
const ctx = { waitUntil: (promise: Promise<unknown>) => pending.push(promise), passThroughOnException: () => undefined, props: {} } as unknown as Parameters<ReturnType<typeof createWorker>["fetch"]>[2];
const env = { SITE_TITLE: "Scheduled test" };

afterEach(() => vi.useRealTimers());

describe("a scheduled article on the Worker's bundle", () => {
  it("stays out until its time, then is served for the first request after it, edge cache included", async () => {
    const worker = createWorker(JSON.stringify(bundle));
    const titles = async (path: string) => {
      const response = await worker.fetch(new Request(`https://feeds.example.com${path}`), env, ctx);
      return response.status === 200 ? ((await response.json()) as { items: { title: string }[] }).items.map((item) => item.title) : response.status;
    };
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-06-01T07:59:59Z"));
    expect(await titles("/feed.json")).toEqual(["Article 1"]);
    expect(await titles("/topics/later/feed.json")).toBe(404);
    // The answer before its time sits in the edge cache, under a key that names one article still to come.
    await Promise.all(pending.splice(0));
    expect(await caches.default.match(new Request(edgeCacheKey("https://feeds.example.com/feed.json", "bundle-v1~1")))).toBeDefined();
    vi.setSystemTime(new Date(DUE));
    expect(await titles("/feed.json")).toEqual(["Article 2", "Article 1"]);
    expect(await titles("/topics/later/feed.json")).toEqual(["Article 2"]);
  });
});
