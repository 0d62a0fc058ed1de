/** Renderers, checked with a strict XML parser and real feed parsers. */
import { extractFromJson } from "@extractus/feed-extractor";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { buildFeed } from "../src/feeds/model.js";
import { type FeedFormat } from "../src/scheme/paths.js";
import { renderFeed } from "../src/feeds/render.js";
import { buildIndex } from "../src/index/index.js";
import { createMemoryStore } from "../src/index/store.js";
import {
  child,
  children,
  loadFixtureFiles,
  parseWithFeedParser,
  parseXmlStrict,
  TEST_NOW,
} from "./helpers.js";

async function fixtureFeed(overrides: Partial<Parameters<typeof buildFeed>[2]> = {}) {
  const files = await loadFixtureFiles();
  const index = buildIndex(files.flatMap((file) => (file.article ? [file.article] : [])));
  const config = loadConfig({ SITE_ICON: "https://everyday-cc.github.io/ai/icon.png" });
  const query = { limit: 50, page: 1, ...overrides };
  const slice = await createMemoryStore(index, "test", { now: () => TEST_NOW }).slice(
    { kind: "all" },
    query,
  );
  const feed = buildFeed({ kind: "all" }, slice, query, {
    config,
    origin: "https://feeds.example.net",
  });
  return { index, feed, render: (format: FeedFormat) => renderFeed(feed, format) };
}

describe("RSS 2.0", () => {
  it("is well-formed XML with every item, newest first, and a self link", async () => {
    const { index, render } = await fixtureFeed();
    const channel = child(parseXmlStrict(render("rss")), "channel");
    const items = children(channel, "item");
    expect(items.map((item) => child(item, "guid").text)).toEqual(
      index.articles.map((article) => article.id),
    );
    expect(child(channel, "atom:link").attributes).toMatchObject({
      rel: "self",
      href: "https://feeds.example.net/feed.rss",
      type: "application/rss+xml",
    });
    expect(child(channel, "lastBuildDate").text).toBe(
      new Date(index.articles[0].published).toUTCString(),
    );
    expect(child(channel, "ttl").text).toBe("5");
    expect(child(child(channel, "image"), "url").text).toBe(
      "https://everyday-cc.github.io/ai/icon.png",
    );
  });

  it("round-trips through a real feed parser: titles, links, ids, dates, images, categories", async () => {
    const { index, render } = await fixtureFeed();
    const parsed = parseWithFeedParser(render("rss"));
    expect(parsed.title).toBe("A.I. Every Day");
    // This parser decodes entities a second time, as readers that treat RSS titles as HTML do, so a
    // title with a literal "&amp;" comes back as "&"; exact text is checked with the strict XML parser.
    const plain = (title: string) => !title.includes("&");
    expect(parsed.items.map((item) => item.title ?? "").filter(plain)).toEqual(
      index.articles.map((article) => article.title).filter(plain),
    );
    expect(parsed.items.map((item) => item.url)).toEqual(
      index.articles.map((article) => article.url),
    );
    expect(parsed.items.map((item) => item.id)).toEqual(
      index.articles.map((article) => article.id),
    );
    expect(parsed.items.map((item) => item.published?.toISOString().replace(".000", ""))).toEqual(
      index.articles.map((article) => article.published),
    );
    const modern = parsed.items.find((item) => item.title?.startsWith("NVIDIA and Oracle"))!;
    expect(modern.categories.map((category) => category.label)).toEqual(["AI", "AI Hardware"]);
    expect(modern.media.map((media) => media.url)).toContain(
      "https://www.example-wire.com/images/nvidia-oracle.jpg",
    );
    expect(modern.content).toContain('<a href="https://other.example.org/oracle-nvidia">');
  });

  it("writes the content as escaped HTML: related articles as a list, markup in them inert", async () => {
    const { render } = await fixtureFeed();
    const items = children(child(parseXmlStrict(render("rss")), "channel"), "item");
    const modern = items.find((item) => child(item, "title").text.startsWith("NVIDIA and Oracle"))!;
    expect(child(modern, "content:encoded").text).toBe(
      "<p>Oracle and NVIDIA today announced a multi-year partnership.</p><p>Related:</p><ul>" +
        '<li><a href="https://other.example.org/oracle-nvidia">Oracle &amp; NVIDIA &lt;partner&gt; on cloud</a> (الشرق الأوسط)</li>' +
        '<li><a href="https://apnews.com/Wired%20Release/20e8c5c9">A related item with a bad link</a> (AP)</li></ul>',
    );
    expect(child(modern, "source").attributes.url).toBe(
      "https://feeds.example.net/providers/example-wire.com/feed.rss",
    );
  });

  it("escapes markup in titles and excerpts so it never becomes live", async () => {
    const { render } = await fixtureFeed();
    const rss = render("rss");
    const item = children(child(parseXmlStrict(rss), "channel"), "item").find((node) =>
      child(node, "title").text.startsWith("Image Recognition"),
    )!;
    expect(child(item, "title").text).toBe(
      "Image Recognition Market Size & Share <2020> | CAGR 19%",
    );
    expect(rss).not.toContain("<2020>");
  });
});

describe("Atom 1.0", () => {
  it("is well-formed, self-links to the Atom URL and carries enclosure types", async () => {
    const { index, render } = await fixtureFeed();
    const feed = parseXmlStrict(render("atom"));
    expect(feed.attributes.xmlns).toBe("http://www.w3.org/2005/Atom");
    const self = children(feed, "link").find((link) => link.attributes.rel === "self")!;
    expect(self.attributes.href).toBe("https://feeds.example.net/feed.atom");
    expect(child(feed, "updated").text.slice(0, 19)).toBe(index.articles[0].published.slice(0, 19));
    const entries = children(feed, "entry");
    const updated = entries.map((entry) => child(entry, "updated").text);
    expect(new Set(updated).size).toBe(entries.length);
    expect(updated.map((value) => value.slice(0, 19) + "Z")).toEqual(
      index.articles.map((article) => article.published),
    );
    expect(entries.map((entry) => child(entry, "published").text)).toEqual(
      index.articles.map((article) => article.published),
    );
    expect(entries.map((entry) => child(entry, "id").text)).toEqual(
      index.articles.map((article) => article.id),
    );
    const enclosure = entries
      .flatMap((entry) => children(entry, "link"))
      .find((link) => link.attributes.rel === "enclosure")!;
    expect(enclosure.attributes.type).toMatch(/^image\//);
  });

  it("round-trips through a real feed parser", async () => {
    const { index, render } = await fixtureFeed();
    const parsed = parseWithFeedParser(render("atom"));
    expect(parsed.items.map((item) => item.id)).toEqual(
      index.articles.map((article) => article.id),
    );
    expect(parsed.items.map((item) => item.url)).toEqual(
      index.articles.map((article) => article.url),
    );
    expect(parsed.items[0].authors[0].name).toBe(index.articles[0].provider.name);
    expect(parsed.items.map((item) => item.published?.toISOString().replace(".000", ""))).toEqual(
      index.articles.map((article) => article.published),
    );
  });
});

describe("JSON Feed 1.1", () => {
  it("has the 1.1 version URL, string ids, RFC 3339 dates, authors and language", async () => {
    const { index, render } = await fixtureFeed();
    const json = JSON.parse(render("json"));
    expect(json.version).toBe("https://jsonfeed.org/version/1.1");
    expect(json.feed_url).toBe("https://feeds.example.net/feed.json");
    expect(json.language).toBe("en");
    expect(json.items.map((item: { id: string }) => item.id)).toEqual(
      index.articles.map((article) => article.id),
    );
    for (const item of json.items) {
      expect(typeof item.id).toBe("string");
      expect(item.date_published).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(item.authors).toEqual([
        { name: expect.any(String), url: expect.stringMatching(/^https:\/\//) },
      ]);
      expect(typeof item.content_html).toBe("string");
    }
  });

  it("round-trips through a real feed parser", async () => {
    const { index, render } = await fixtureFeed();
    const parsed = extractFromJson(JSON.parse(render("json")), {
      normalization: true,
      descriptionMaxLen: 0,
    });
    expect(parsed.entries?.map((entry) => entry.title)).toEqual(
      index.articles.map((article) => article.title),
    );
    expect(parsed.entries?.map((entry) => entry.link)).toEqual(
      index.articles.map((article) => article.url),
    );
  });
});

describe("every format", () => {
  it("gives the same bytes for the same data, and the same ids", async () => {
    const first = await fixtureFeed();
    const second = await fixtureFeed();
    for (const format of ["rss", "atom", "json"] as const)
      expect(second.render(format)).toBe(first.render(format));
    const rssIds = parseWithFeedParser(first.render("rss")).items.map((item) => item.id);
    const atomIds = parseWithFeedParser(first.render("atom")).items.map((item) => item.id);
    const jsonIds = JSON.parse(first.render("json")).items.map((item: { id: string }) => item.id);
    expect(atomIds).toEqual(rssIds);
    expect(jsonIds).toEqual(rssIds);
  });

  it("limits items and says updated = the newest item, never the clock", async () => {
    const { index, feed } = await fixtureFeed({ limit: 2 });
    expect(feed.items).toHaveLength(2);
    expect(feed.updated.slice(0, 19)).toBe(index.articles[0].published.slice(0, 19));
    expect(feed.updated).toBe(
      feed.items
        .map((item) => item.updated)
        .sort()
        .pop(),
    );
    expect(feed.pages).toBe(Math.ceil(index.articles.length / 2));
  });
});
