/**
 * feedloom() mounted in someone else's Hono app, in process: two instances at
 * /ai and /space, each with its own folder, and a route of the app's own.
 * (test/package.test.ts does the same from the packed tarball, over HTTP.)
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { feedloom } from "../src/entry/feedloom.js";
import { DIGEST_FIXTURES, FIXTURES, parseWithFeedParser } from "./helpers.js";

function twoSites() {
  const app = new Hono();
  app.get("/", (c) => c.text("home"));
  app.route("/ai", feedloom({ articles: FIXTURES, watch: false, siteTitle: "AI" }));
  app.route("/space", feedloom({ articles: DIGEST_FIXTURES, watch: false, siteTitle: "Space" }));
  return app;
}

describe("feedloom() mounted twice in one app", () => {
  it("answers each mount with its own articles, links and title, and leaves the app's own route alone", async () => {
    const app = twoSites();
    expect(await (await app.request("http://127.0.0.1/")).text()).toBe("home");
    const ai = await app.request("http://127.0.0.1/ai/feed.rss");
    const space = await app.request("http://127.0.0.1/space/feed.rss");
    expect(ai.status).toBe(200);
    expect(space.status).toBe(200);
    const [aiFeed, spaceFeed] = await Promise.all([
      parseWithFeedParser(await ai.text()),
      parseWithFeedParser(await space.text()),
    ]);
    expect(aiFeed.title).toBe("AI");
    expect(spaceFeed.title).toBe("Space");
    const aiLinks = new Set(aiFeed.items.map((item) => item.url));
    expect(spaceFeed.items.some((item) => aiLinks.has(item.url))).toBe(false);
    expect(aiFeed.self).toBe("http://127.0.0.1/ai/feed.rss");
    expect(spaceFeed.self).toBe("http://127.0.0.1/space/feed.rss");
  });

  it("renders each from its own cache: the same path under the other mount is the other site", async () => {
    const app = twoSites();
    const first = await (await app.request("http://127.0.0.1/ai/topics.json")).text();
    const other = await (await app.request("http://127.0.0.1/space/topics.json")).text();
    expect(other).not.toBe(first);
    expect(first).toContain('"http://127.0.0.1/ai/topics/');
    expect(other).toContain('"http://127.0.0.1/space/topics/');
    expect(other).not.toContain("http://127.0.0.1/ai/");
  });

  it("redirects and 404s under its mount", async () => {
    const app = twoSites();
    const named = await app.request("http://127.0.0.1/ai/topics/AI/feed.rss");
    expect(named.status).toBe(301);
    expect(named.headers.get("location")).toBe("/ai/topics/ai/feed.rss");
    const missing = await app.request("http://127.0.0.1/space/topics/no-such-topic/feed.rss");
    expect(missing.status).toBe(404);
  });
});

describe("feedloom() mounted, served with its fast path", () => {
  it("sends a feed it answered before again ahead of the app's middleware, and leaves the rest to the app", async () => {
    const news = feedloom({ articles: FIXTURES, watch: false, siteTitle: "News" });
    const app = new Hono();
    let seen = 0;
    app.use("*", async (_, next) => {
      seen++;
      await next();
    });
    app.get("/hello", (c) => c.text("hello"));
    app.route("/news", news);
    const server = createServer(news.listener(app.fetch)).listen(0, "127.0.0.1");
    await once(server, "listening");
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const get = async (path: string, headers: Record<string, string> = {}) => {
        const response = await fetch(`${origin}${path}`, { headers });
        return { response, body: await response.text() };
      };
      const first = await get("/news/feed.rss");
      expect([first.response.status, seen]).toEqual([200, 1]);
      const again = await get("/news/feed.rss");
      // Replayed: the same status, validators and bytes, and the app's middleware never ran.
      expect([again.response.status, seen]).toEqual([200, 1]);
      expect(again.response.headers.get("etag")).toBe(first.response.headers.get("etag"));
      expect(again.body).toBe(first.body);
      // The app's own routes, and a request with a cookie, always reach the app.
      expect((await get("/hello")).body).toBe("hello");
      expect((await get("/hello")).body).toBe("hello");
      expect(seen).toBe(3);
      expect((await get("/news/feed.rss", { cookie: "session=1" })).body).toBe(first.body);
      expect(seen).toBe(4);
    } finally {
      server.close();
    }
  });
});
