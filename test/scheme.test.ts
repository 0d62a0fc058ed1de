/**
 * The URL scheme (src/scheme/routes.ts) is the only declaration of routes:
 * the app answers its patterns and no others, each link builder lands on one
 * of them, and what is derived from it (the export's list, the statistics'
 * matcher, the Worker's guard, `_headers`) says what the routes declare.
 */
import { describe, expect, it } from "vitest";
import { articleFiles } from "../src/api/folder.js";
import { apiRoutes } from "../src/api/routes.js";
import { loadApiConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { SITE_ASSETS } from "../src/http/assets.js";
import { ROUTES, everyStaticUrl, patternMatcher, patternsWhere } from "../src/scheme/routes.js";
import { countedFeedPath } from "../src/stats/clients.js";
import { statsRoutes } from "../src/stats/routes.js";
import { federationRoutes } from "../src/federation/routes.js";
import { FIXTURES, fixtureApp, testFederation } from "./helpers.js";

const assets = SITE_ASSETS.map((asset) => asset.path);

describe("the URL scheme", () => {
  it("is what the app answers: every pattern, its preflight (unless guarded) and declared writes, and nothing else", async () => {
    for (const basePath of ["", "/news"]) {
      const { store, config } = await fixtureApp({
        ...(basePath ? { PUBLIC_URL: `https://example.com${basePath}` } : {}),
      });
      const app = createApp({
        store,
        config,
        extensions: [
          statsRoutes({ token: "a-token-of-thirty-two-characters!!" }),
          apiRoutes({
            config: loadApiConfig({ API_TOKENS: "t:create:a-secret-of-thirty-two-characters" }),
            files: articleFiles(FIXTURES),
          }),
          federationRoutes(await testFederation(config)),
        ],
      });
      // A write's guard (its body limit) is registered beside its handler: one route either way.
      const registered = [
        ...new Set(
          app.routes
            .filter((route) => route.method !== "ALL")
            .map((route) => `${route.method} ${route.path}`),
        ),
      ].sort();
      const declared = Object.values(ROUTES)
        .flatMap((route) =>
          route.patterns.flatMap(({ path }) =>
            ["GET", ...(route.guarded ? [] : ["OPTIONS"]), ...(route.writes ?? [])].map(
              (method) => `${method} ${basePath}${path}`,
            ),
          ),
        )
        .sort();
      expect(registered).toEqual(declared);
    }
  });

  it("lists every URL an export writes once, each on a route of the scheme, and each answers", async () => {
    const { app, store, config } = await fixtureApp({
      PUBLIC_URL: "https://example.com",
      FEED_LIMIT: "2",
    });
    const urls = (await everyStaticUrl(store, config, assets)).map(({ url }) => url);
    expect(new Set(urls).size).toBe(urls.length);
    const routed = patternMatcher(
      Object.values(ROUTES).flatMap((route) => route.patterns.map((p) => p.path)),
    );
    for (const url of urls) {
      expect(routed(url), url).toBe(true);
      expect((await app.request(`https://example.com${url}`)).status, url).toBe(200);
    }
    // Every kind of file is there: feeds of each scope, archives, digests, pages, OPML, embeds, assets.
    for (const expected of [
      "/feed.json",
      "/topics/ai/feed.atom",
      "/topics/ai/digest/weekly.rss",
      "/topics/",
      "/topics/ai/feeds.opml",
      "/embed/topics/ai/",
      ...assets,
    ])
      expect(urls).toContain(expected);
    expect(urls.filter((url) => url.includes("/archive/")).length).toBeGreaterThan(0);
  });

  it("marks what statistics count, what is cached for good, framed, or kept from caches", () => {
    for (const counted of [
      "/feed.rss",
      "/topics/ai/feed.json",
      "/providers/a.com/feed.atom",
      "/digest/daily.rss",
      "/topics/ai/digest/weekly.json",
    ])
      expect(countedFeedPath(`/news${counted}`, "/news"), counted).toBe(counted);
    for (const uncounted of [
      "/feed/page/2.rss",
      "/feed/archive/1.rss",
      "/providers/a.com/digest/daily.rss",
      "/feed.xml",
      "/topics/ai/",
    ])
      expect(countedFeedPath(uncounted, ""), uncounted).toBeUndefined();
    const immutable = patternMatcher(patternsWhere("immutable"));
    expect(
      ["/feed/archive/3.rss", "/providers/a.com/feed/archive/1.json", assets[0]].every(immutable),
    ).toBe(true);
    expect(immutable("/feed.rss")).toBe(false);
    expect(patternsWhere("framable")).toEqual([
      "/embed/",
      "/embed/topics/:key/",
      "/embed/providers/:key/",
    ]);
    expect(patternsWhere("guarded")).toEqual([
      "/stats/",
      "/stats.json",
      "/api/articles/:key",
      "/api/articles",
      "/micropub",
      "/auth",
      "/token",
      "/ap/:handle/inbox",
      "/ap/inbox",
    ]);
    expect(
      Object.values(ROUTES)
        .filter((route) => route.writes)
        .map((route) => route.patterns),
    ).toEqual([
      [{ path: "/stats/", data: {} }],
      [{ path: "/api/articles/:key", data: {} }],
      [{ path: "/api/articles", data: {} }],
      [{ path: "/micropub", data: {} }],
      [{ path: "/auth", data: {} }],
      [{ path: "/token", data: {} }],
      [
        { path: "/ap/:handle/inbox", data: {} },
        { path: "/ap/inbox", data: {} },
      ],
    ]);
  });
});
