/** The app through real requests: every route and format, errors, HTTP semantics. */
import { describe, expect, it, vi } from "vitest";
import { createItemFragments } from "../src/feeds/fragments.js";
import { createApp } from "../src/http/app.js";
import { CONTENT_VERSION_ENV } from "../src/http/site.js";
import {
  child,
  children,
  fixtureApp,
  idInFeed,
  parseWithFeedParser,
  parseXmlStrict,
} from "./helpers.js";

const CONTENT_TYPES = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
} as const;
const FORMATS = ["rss", "atom", "json"] as const;

/** Item ids of any format's body, each parsed by its real parser. */
function itemIds(format: (typeof FORMATS)[number], body: string): string[] {
  if (format === "json") return JSON.parse(body).items.map((item: { id: string }) => item.id);
  parseXmlStrict(body);
  return parseWithFeedParser(body).items.map((item) => item.id!);
}

describe("feed routes", async () => {
  const { app, index } = await fixtureApp();
  const paths = [
    ["/feed", index.articles],
    ["/topics/ai-hardware/feed", index.topics.get("ai-hardware")!.articles],
    ["/topics/computer-vision/feed", index.topics.get("computer-vision")!.articles],
    ["/providers/example-wire.com/feed", index.providers.get("example-wire.com")!.articles],
    ["/providers/acrofan.com/feed", index.providers.get("acrofan.com")!.articles],
  ] as const;

  for (const [path, articles] of paths) {
    for (const format of FORMATS) {
      it(`${path}.${format} lists its articles newest first with the right content type`, async () => {
        const response = await app.request(`${path}.${format}`);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe(CONTENT_TYPES[format]);
        const body = await response.text();
        expect(itemIds(format, body)).toEqual(articles.map((article) => idInFeed(path, article)));
        expect(body).not.toContain("secured");
      });
    }
  }

  it("leaves drafts and broken files out, and shows drafts with the preview switch", async () => {
    const titles = JSON.parse(await (await app.request("/feed.json")).text()).items.map(
      (item: { title: string }) => item.title,
    );
    expect(titles).not.toContain("Statistical Natural Language Processing Market");
    expect(titles).not.toContain("A link that would run script");
    const preview = await fixtureApp({ INCLUDE_UNPUBLISHED: "true" });
    const previewTitles = JSON.parse(
      await (await preview.app.request("/feed.json")).text(),
    ).items.map((item: { title: string }) => item.title);
    expect(previewTitles).toContain("Statistical Natural Language Processing Market");
  });

  it("marks a preview as one: every title says [Preview], and every response says noindex", async () => {
    const preview = await fixtureApp({ INCLUDE_UNPUBLISHED: "true" });
    const feed = await preview.app.request("/feed.rss");
    expect(feed.headers.get("x-robots-tag")).toBe("noindex");
    expect(await feed.text()).toContain("<title>[Preview] A.I. Every Day</title>");
    const page = await preview.app.request("/topics/ai/", { headers: { Accept: "text/html" } });
    expect(page.headers.get("x-robots-tag")).toBe("noindex");
    const html = await page.text();
    expect(html).toContain("<title>[Preview] AI: A.I. Every Day</title>");
    expect(html).toContain("<strong>Preview:</strong> drafts and scheduled articles are showing");
    expect(html).toContain('<a class="brand" href="/">[Preview] A.I. Every Day</a>');
    expect((await preview.app.request("/nothing-here")).headers.get("x-robots-tag")).toBe(
      "noindex",
    );
    // The site itself says nothing of the kind.
    expect((await app.request("/feed.rss")).headers.get("x-robots-tag")).toBeNull();
  });

  it("names the topic and the site in a topic feed, and uses the provider's logo in a provider feed", async () => {
    const topic = parseWithFeedParser(
      await (await app.request("/topics/ai-hardware/feed.atom")).text(),
    );
    expect(topic.title).toBe("A.I. Every Day: AI Hardware");
    expect(topic.description).toBe("The latest articles about AI Hardware on A.I. Every Day.");
    const provider = JSON.parse(
      await (await app.request("/providers/openpr.com/feed.json")).text(),
    );
    expect(provider.title).toBe("A.I. Every Day: openpr.com");
    // Its logo is a path under SITE_URL: without one it would point nowhere, and the site's icon stands in.
    expect(provider.icon).toBe("https://everyday-cc.github.io/ai/icon.png");
    const { app: withSite } = await fixtureApp({ SITE_URL: "https://everyday-cc.github.io/ai" });
    const resolved = JSON.parse(
      await (await withSite.request("/providers/openpr.com/feed.json")).text(),
    );
    expect(resolved.icon).toBe(
      "https://everyday-cc.github.io/ai/assets/images/organizations/openpr.com-50x50.jpg",
    );
  });

  it("links the main feed to this service's own home page unless SITE_URL names another site", async () => {
    const { app: own } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.com/news" });
    const json = JSON.parse(
      await (await own.request("https://feeds.example.com/news/feed.json")).text(),
    );
    expect(json.home_page_url).toBe("https://feeds.example.com/news/");
    const rss = await (await own.request("https://feeds.example.com/news/feed.rss")).text();
    expect(rss).toContain("<link>https://feeds.example.com/news/</link>");
    const { app: withSite } = await fixtureApp({ SITE_URL: "https://news.example.org/" });
    const other = JSON.parse(await (await withSite.request("/feed.json")).text());
    expect(other.home_page_url).toBe("https://news.example.org/");
  });

  it("uses a configured public URL for self links, and the request's origin otherwise", async () => {
    const local = parseXmlStrict(
      await (await app.request("http://127.0.0.1:8787/feed.rss")).text(),
    );
    expect(child(child(local, "channel"), "atom:link").attributes.href).toBe(
      "http://127.0.0.1:8787/feed.rss",
    );
    const configured = await fixtureApp({ PUBLIC_URL: "https://feeds.example.com/" });
    const rss = parseXmlStrict(
      await (await configured.app.request("http://127.0.0.1:8787/feed.rss")).text(),
    );
    expect(child(child(rss, "channel"), "atom:link").attributes.href).toBe(
      "https://feeds.example.com/feed.rss",
    );
  });

  it("renders each item for the origin asked when items are rendered once and reused", async () => {
    const { store, config } = await fixtureApp();
    const memoizing = createApp({ store, config, itemFragments: createItemFragments() });
    for (const origin of [
      "http://localhost:8787",
      "http://127.0.0.1:8787",
      "http://localhost:8787",
    ]) {
      const channel = child(
        parseXmlStrict(await (await memoizing.request(`${origin}/feed.rss`)).text()),
        "channel",
      );
      const sources = children(channel, "item").map((item) => child(item, "source").attributes.url);
      expect(sources.length).toBeGreaterThan(0);
      for (const url of sources) expect(url.startsWith(`${origin}/providers/`), url).toBe(true);
    }
  });
});

describe("directories", async () => {
  const { app, index } = await fixtureApp();
  it.each(["topics", "providers"] as const)(
    "/%s.json lists name, key, count, newest, three feed URLs, and a topic's digests",
    async (kind) => {
      const response = await app.request(`http://localhost/${kind}.json`);
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const entries = (await response.json())[kind];
      const groups = kind === "topics" ? index.topics : index.providers;
      expect(entries.map((entry: { key: string }) => entry.key)).toEqual([...groups.keys()]);
      for (const entry of entries) {
        const group = groups.get(entry.key)!;
        expect(entry).toEqual({
          name: group.name,
          key: group.key,
          count: group.articles.length,
          newest: group.articles[0].published,
          feeds: {
            rss: `http://localhost/${kind}/${encodeURIComponent(group.key)}/feed.rss`,
            atom: `http://localhost/${kind}/${encodeURIComponent(group.key)}/feed.atom`,
            json: `http://localhost/${kind}/${encodeURIComponent(group.key)}/feed.json`,
          },
          // A topic's digests too, daily and weekly (a provider, one source, has none).
          ...(kind === "topics"
            ? {
                digests: Object.fromEntries(
                  ["daily", "weekly"].map((period) => [
                    period,
                    Object.fromEntries(
                      ["rss", "atom", "json"].map((format) => [
                        format,
                        `http://localhost/topics/${encodeURIComponent(group.key)}/digest/${period}.${format}`,
                      ]),
                    ),
                  ]),
                ),
              }
            : {}),
        });
        expect((await app.request(entry.feeds.json)).status).toBe(200);
        if (entry.digests) expect((await app.request(entry.digests.weekly.atom)).status).toBe(200);
      }
    },
  );
});

describe("errors say what to fix", async () => {
  const { app } = await fixtureApp();
  it("an unknown topic is a 404 listing the closest topics first", async () => {
    const response = await app.request("/topics/ai-hardwre/feed.rss");
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/^404 no topic "ai-hardwre"\. Closest: ai-hardware, /);
  });
  it("an unknown provider is a 404 listing providers, as JSON for a JSON feed", async () => {
    const response = await app.request("/providers/example-wire.org/feed.json");
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body.error.message).toMatch(
      /^no provider "example-wire\.org"\. Closest: example-wire\.com/,
    );
  });
  it("a topic name instead of its key redirects to the canonical URL", async () => {
    const response = await app.request("/topics/AI%20Hardware/feed.atom?limit=1");
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("/topics/ai-hardware/feed.atom?limit=1");
  });
  it("an unknown path is a 404 naming the URL scheme", async () => {
    const response = await app.request("/feeds.xml");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("/topics/{topic}/feed.{rss,atom,json}");
  });
  it("an unknown path is a page of the site for a browser, which names no path and is never cached", async () => {
    const response = await app.request("/no/such/<page>/", {
      headers: { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
    const body = await response.text();
    expect(body).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(body).toContain("<h1>Not found</h1>");
    expect(body).toContain('<a href="/topics/">all topics</a>');
    expect(body).not.toContain("such");
    // A browser asking for a feed file still gets the plain answer that says what exists.
    const feed = await app.request("/feeds.xml", { headers: { Accept: "text/html" } });
    expect([feed.status, feed.headers.get("content-type")]).toEqual([
      404,
      "text/plain; charset=utf-8",
    ]);
  });
  it("an internal failure is a 500 with a short message and no details", async () => {
    const { store, config } = await fixtureApp();
    const failing = createApp({
      store,
      config,
      cache: {
        get: async () => {
          throw new Error("disk on fire at /srv/secret/render.ts:12");
        },
      },
    });
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await failing.request("/feed.json");
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(JSON.parse(body).error.message).toBe(
        "internal error: the feed could not be produced; the server log has the details",
      );
      expect(body).not.toMatch(/fire|secret|render\.ts/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(String(log.mock.calls[0])).toContain("disk on fire");
    } finally {
      log.mockRestore();
    }
  });
  it("a write method is a 405 with Allow", async () => {
    const response = await app.request("/feed.rss", { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });
});

describe("the content version", () => {
  it("is read from the store once per render, unless the caller passes the one it already read", async () => {
    const { store, config } = await fixtureApp();
    let reads = 0;
    const counting = { ...store, version: async () => (reads++, store.version()) };
    const app = createApp({ store: counting, config });
    expect((await app.request("/feed.rss")).status).toBe(200);
    expect(reads).toBe(1);
    const passed = await app.fetch(new Request("http://localhost/feed.atom"), {
      [CONTENT_VERSION_ENV]: "known",
    });
    expect(passed.status).toBe(200);
    expect(reads).toBe(1);
  });
});
