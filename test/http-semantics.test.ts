/** Conditional GET, HEAD, CORS, caching headers, query parameters and paging, through app.request(). */
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { createLruRenderCache } from "../src/http/lru-render-cache.js";
import { zlibCompressor } from "../src/runtime/compression.js";
import {
  child,
  children,
  fixtureApp,
  idInFeed,
  parseXmlStrict,
  requestFollowing,
  TEST_NOW,
} from "./helpers.js";

describe("conditional GET", async () => {
  const { app, index } = await fixtureApp();
  const first = await app.request("/topics/ai/feed.rss");
  const etag = first.headers.get("etag")!;
  const lastModified = first.headers.get("last-modified")!;

  it("sends a strong ETag from the body and Last-Modified = the newest item", () => {
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(lastModified).toBe(
      new Date(index.topics.get("ai")!.articles[0].published).toUTCString(),
    );
  });
  it("gives the same ETag for the same data, and another for other parameters", async () => {
    expect((await app.request("/topics/ai/feed.rss")).headers.get("etag")).toBe(etag);
    expect((await app.request("/topics/ai/feed.rss?limit=1")).headers.get("etag")).not.toBe(etag);
    expect((await app.request("/topics/ai/feed.atom")).headers.get("etag")).not.toBe(etag);
  });
  it("answers a matching If-None-Match with 304 and no body", async () => {
    const response = await app.request("/topics/ai/feed.rss", {
      headers: { "If-None-Match": `"other", W/${etag}` },
    });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe("");
    expect(response.headers.get("etag")).toBe(etag);
    expect(response.headers.get("cache-control")).toMatch(/max-age=300/);
  });
  it("answers If-Modified-Since at or after Last-Modified with 304, and before it with 200", async () => {
    expect(
      (await app.request("/topics/ai/feed.rss", { headers: { "If-Modified-Since": lastModified } }))
        .status,
    ).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect(
      (await app.request("/topics/ai/feed.rss", { headers: { "If-Modified-Since": earlier } }))
        .status,
    ).toBe(200);
    expect(
      (await app.request("/topics/ai/feed.rss", { headers: { "If-Modified-Since": "not a date" } }))
        .status,
    ).toBe(200);
  });
  it("lets If-None-Match win over If-Modified-Since (RFC 9110)", async () => {
    const response = await app.request("/topics/ai/feed.rss", {
      headers: { "If-None-Match": '"stale"', "If-Modified-Since": lastModified },
    });
    expect(response.status).toBe(200);
  });
  it("answers HEAD on every route with the GET headers and no body", async () => {
    for (const path of [
      "/",
      "/feed.rss",
      "/feed.atom",
      "/feed.json",
      "/topics.json",
      "/providers.json",
      "/topics/ai/feed.json",
      "/providers/acrofan.com/feed.rss",
    ]) {
      const get = await app.request(path);
      const head = await app.request(path, { method: "HEAD" });
      expect(head.status, path).toBe(200);
      expect(await head.text(), path).toBe("");
      expect(head.headers.get("etag"), path).toBe(get.headers.get("etag"));
      expect(head.headers.get("content-type"), path).toBe(get.headers.get("content-type"));
    }
  });
});

describe("headers for readers, caches and embedding sites", async () => {
  const { app } = await fixtureApp({ CACHE_MAX_AGE: "600" });
  it("sets Cache-Control from the config and a matching RSS ttl", async () => {
    const response = await app.request("/feed.rss");
    expect(response.headers.get("cache-control")).toBe(
      "public, max-age=600, stale-while-revalidate=600, stale-if-error=86400",
    );
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(child(child(parseXmlStrict(await response.text()), "channel"), "ttl").text).toBe("10");
  });
  it("allows any origin to read feeds and directories, and answers preflight", async () => {
    expect(
      (
        await app.request("/topics.json", { headers: { Origin: "https://blog.example" } })
      ).headers.get("access-control-allow-origin"),
    ).toBe("*");
    const preflight = await app.request("/feed.json", {
      method: "OPTIONS",
      headers: {
        Origin: "https://blog.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
  });
  it("sends security headers and no stack traces", async () => {
    const response = await app.request("/feed.rss");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    const error = await app.request("/feed.rss?limit=x");
    expect(error.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await error.text()).not.toMatch(/at .+\.ts/);
  });
});

describe("query parameters", async () => {
  const { app, index } = await fixtureApp({ FEED_MAX_LIMIT: "100" });
  const ids = async (path: string) =>
    (await (await requestFollowing(app, path)).json()).items.map((item: { id: string }) => item.id);

  it("limit takes that many items and is reflected in the self link", async () => {
    expect(await ids("/feed.json?limit=2")).toEqual(
      index.articles.slice(0, 2).map((article) => article.id),
    );
    const feed = parseXmlStrict(
      await (await app.request("http://localhost/feed.atom?limit=2")).text(),
    );
    const self = children(feed, "link").find((link) => link.attributes.rel === "self")!;
    expect(self.attributes.href).toBe("http://localhost/feed.atom?limit=2");
  });
  it("q filters title and excerpt, case-insensitively", async () => {
    const found = await ids("/feed.json?q=NVIDIA");
    expect(found).toEqual(
      index.articles
        .filter((article) => /nvidia/i.test(article.title + article.summary))
        .map((article) => article.id),
    );
    expect(found.length).toBeGreaterThan(0);
    expect(await ids("/feed.json?q=no-such-words-anywhere")).toEqual([]);
  });
  it("since keeps articles published at or after it; parameters combine", async () => {
    expect(await ids("/feed.json?since=2022-10-18")).toEqual(
      index.articles
        .filter((article) => article.published >= "2022-10-18")
        .map((article) => article.id),
    );
    expect(
      await ids("/topics/ai/feed.json?since=2021-01-01T00:00:00Z&q=amazon&limit=1"),
    ).toHaveLength(1);
  });
  it.each([
    ["limit=0", /^limit: must be a whole number from 1 to 100/],
    ["limit=101", /^limit: must be a whole number from 1 to 100/],
    ["limit=ten", /^limit: must be a whole number from 1 to 100/],
    ["limit=1&limit=2", /^limit: given 2 times/],
    ["page=0", /^page: must be a whole number from 1/],
    ["page=99", /^page: must be from 1 to 1 for this feed, got 99/],
    ["q=", /^q: must be 1 to 200 characters/],
    ["since=yesterday", /^since: must be an ISO 8601 date/],
    ["since=2022-02-30", /^since: must be an ISO 8601 date/],
  ])("rejects %s with a 400 that says what to fix", async (query, message) => {
    // A page past the end is first redirected to its canonical URL, as a reader would follow.
    const response = await requestFollowing(app, `/feed.json?${query}`);
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(message);
    const text = await requestFollowing(app, `/feed.rss?${query}`);
    expect(text.status).toBe(400);
    expect(await text.text()).toMatch(/^400 /);
  });
  it("ignores unknown parameters such as cache busters", async () => {
    expect((await app.request("/feed.rss?_=12345")).status).toBe(200);
  });
});

describe("paging (RFC 5005)", async () => {
  const { app, index } = await fixtureApp();

  it("walks a whole feed by rel=next in Atom without gaps or repeats, with first/last/prev", async () => {
    const seen: string[] = [];
    let url: string | undefined = "http://localhost/topics/ai/feed.atom?limit=2";
    let pages = 0;
    while (url) {
      const feed = parseXmlStrict(await (await app.request(url)).text());
      const links = Object.fromEntries(
        children(feed, "link").map((link) => [link.attributes.rel, link.attributes.href]),
      );
      seen.push(...children(feed, "entry").map((entry) => child(entry, "id").text));
      expect(links.first).toBe("http://localhost/topics/ai/feed.atom?limit=2");
      expect(links.last).toMatch(/page=\d+$/);
      if (pages > 0) expect(links.previous).toBeDefined();
      url = links.next;
      pages++;
    }
    expect(seen).toEqual(
      index.topics.get("ai")!.articles.map((article) => idInFeed("/topics/ai/feed", article)),
    );
    expect(pages).toBe(Math.ceil(index.topics.get("ai")!.articles.length / 2));
  });

  it("walks by next_url in JSON Feed and by atom:link rel=next in RSS", async () => {
    const jsonSeen: string[] = [];
    for (let url: string | undefined = "/feed.json?limit=3"; url;) {
      const feed = await (await app.request(url)).json();
      jsonSeen.push(...feed.items.map((item: { id: string }) => item.id));
      url = feed.next_url;
    }
    expect(jsonSeen).toEqual(index.articles.map((article) => article.id));
    const rssSeen: string[] = [];
    for (let url: string | undefined = "/feed.rss?limit=3&q=a"; url;) {
      const channel = child(parseXmlStrict(await (await app.request(url)).text()), "channel");
      rssSeen.push(...children(channel, "item").map((item) => child(item, "guid").text));
      url = children(channel, "atom:link").find((link) => link.attributes.rel === "next")
        ?.attributes.href;
    }
    expect(rssSeen).toEqual(
      index.articles
        .filter((article) => (article.title + article.summary).toLowerCase().includes("a"))
        .map((article) => article.id),
    );
  });
});

describe("Node's render cache", async () => {
  const { index } = await fixtureApp();
  const config = loadConfig({});

  it("serves precompressed brotli and gzip bodies that decode to the identity body, with their own ETags", async () => {
    const app = createApp({
      store: createMemoryStore(index, "test", { now: () => TEST_NOW }),
      config,
      cache: createLruRenderCache(),
      compressor: zlibCompressor,
    });
    const identity = await app.request("/feed.rss");
    const body = await identity.text();
    const br = await app.request("/feed.rss", {
      headers: { "Accept-Encoding": "gzip, deflate, br" },
    });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).toString("utf8")).toBe(body);
    const gzip = await app.request("/feed.rss", {
      headers: { "Accept-Encoding": "gzip;q=1, br;q=0" },
    });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString("utf8")).toBe(body);
    expect(gzip.headers.get("etag")).toBe(`${identity.headers.get("etag")!.slice(0, -1)}-gzip"`);
    const revalidated = await app.request("/feed.rss", {
      headers: { "Accept-Encoding": "br", "If-None-Match": br.headers.get("etag")! },
    });
    expect(revalidated.status).toBe(304);
  });

  it("renders once per key and stays within its entry bound", async () => {
    const cache = createLruRenderCache({ maxEntries: 3 });
    let renders = 0;
    const render = async () => {
      renders++;
      return {
        body: new TextEncoder().encode("x"),
        contentType: "text/plain",
        etag: '"x"',
        lastModified: new Date(0).toUTCString(),
      };
    };
    await Promise.all([cache.get("a", render), cache.get("a", render)]);
    expect(renders).toBe(1);
    for (const key of ["b", "c", "d", "e"]) await cache.get(key, render);
    expect(cache.size).toBe(3);
    await cache.get("a", render);
    expect(renders).toBe(6);
  });

  it("with a doorkeeper, keeps a body only from its key's second request: one-off URLs never fill it", async () => {
    const cache = createLruRenderCache({ admitOnSecondRequest: true });
    let renders = 0;
    const render = async () => {
      renders++;
      return {
        body: new TextEncoder().encode("x"),
        contentType: "text/plain",
        etag: '"x"',
        lastModified: new Date(0).toUTCString(),
      };
    };
    for (let page = 1; page <= 100; page++) await cache.get(`/feed.rss?page=${page}`, render);
    expect(cache.size).toBe(0);
    await cache.get("/feed.rss?page=7", render);
    expect(cache.size).toBe(1);
    await cache.get("/feed.rss?page=7", render);
    expect(renders).toBe(101);
  });
});
