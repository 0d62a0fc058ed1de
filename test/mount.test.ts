/**
 * feedloom() mounted in someone else's Hono app, in process: two instances at
 * /ai and /space, each with its own folder, and a route of the app's own.
 * (test/package.test.ts does the same from the packed tarball, over HTTP.)
 */
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
