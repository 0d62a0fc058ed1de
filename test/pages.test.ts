/** The pages, OPML and crawlers' files, through app.request(); the browser tests are in browser.test.ts. */
import { describe, expect, it } from "vitest";
import { checkFeed } from "../src/feeds/check.js";
import { PAGE_CSP } from "../src/http/pages/routes.js";
import { type XmlNode, children, fixtureApp, parseXmlStrict } from "./helpers.js";

const { app, index } = await fixtureApp();
const page = async (path: string, init?: RequestInit) => {
  const response = await app.request(`http://localhost${path}`, init);
  return { response, body: await response.text() };
};
/** `<link rel="alternate" ...>` elements of a page, attribute maps in order. */
const alternates = (html: string) =>
  [...html.matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]+)" href="([^"]+)"\/>/g)].map(
    ([, type, title, href]) => ({ type, title, href }),
  );

describe("the home page", () => {
  it("is HTML for a browser, with the strict page CSP, and JSON for a client that asks for JSON", async () => {
    const { response, body } = await page("/", {
      headers: { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    });
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(PAGE_CSP);
    expect(response.headers.get("vary")).toBe("Accept, Accept-Encoding");
    expect(body).toMatch(/^<!DOCTYPE html><html lang="en">/);
    const json = await page("/", { headers: { Accept: "application/json" } });
    expect(json.response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(JSON.parse(json.body)).toMatchObject({
      feeds: { rss: "http://localhost/feed.rss" },
      articles: index.articles.length,
    });
    expect(json.response.headers.get("etag")).not.toBe(response.headers.get("etag"));
  });

  it("names the main feed in all three formats for autodiscovery, and each link is a feed that parses", async () => {
    const { body } = await page("/");
    const links = alternates(body);
    const types = ["application/rss+xml", "application/atom+xml", "application/feed+json"];
    expect(links.map((link) => link.type)).toEqual([...types, ...types, ...types]);
    // Each with a title of its own: the feed of everything, then the daily and the weekly digest.
    expect(new Set(links.map((link) => link.title)).size).toBe(9);
    expect(links.map((link) => new URL(link.href).pathname)).toEqual(
      ["/feed", "/digest/daily", "/digest/weekly"].flatMap((path) => [
        `${path}.rss`,
        `${path}.atom`,
        `${path}.json`,
      ]),
    );
    for (const link of links) {
      const feed = await app.request(link.href);
      expect(feed.status).toBe(200);
      expect(
        checkFeed(
          link.type.includes("rss") ? "rss" : link.type.includes("atom") ? "atom" : "json",
          await feed.text(),
        ).problems,
      ).toEqual([]);
    }
  });

  it("lists every topic with its count and newest date, and the newest articles in order", async () => {
    const { body } = await page("/");
    for (const topic of index.topics.values()) {
      expect(body).toContain(`<a href="/topics/${encodeURIComponent(topic.key)}/">`);
    }
    const dates = [...body.matchAll(/<time datetime="([^"]+)">/g)].map((match) => match[1]);
    const latest = dates.slice(0, Math.min(10, index.articles.length));
    expect(latest).toEqual(
      index.articles.slice(0, latest.length).map((article) => article.published),
    );
  });

  it("shows a hostile title as text: no markup of an article ever becomes live", async () => {
    const { body } = await page("/");
    expect(body).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(body).not.toMatch(/<script>alert/);
    expect(body).not.toMatch(/<img src=x/);
    expect((body.match(/<script\b/g) ?? []).length).toBe(1); // the page's own, external copy script
  });

  it("answers a repeat with 304 like the feeds do", async () => {
    const first = await page("/topics/ai/");
    const again = await app.request("http://localhost/topics/ai/", {
      headers: { "If-None-Match": first.response.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
  });
});

describe("topic and provider pages", () => {
  it("show the group's newest articles, paged, with its feeds for autodiscovery", async () => {
    const { body } = await page("/topics/ai/");
    expect(body).toContain("<h1>AI</h1>");
    expect(alternates(body).map((link) => link.href)).toEqual(
      ["feed", "digest/daily", "digest/weekly"].flatMap((path) =>
        ["rss", "atom", "json"].map((format) => `http://localhost/topics/ai/${path}.${format}`),
      ),
    );
    const titles = [...body.matchAll(/<h3>(?:<a href="[^"]*">)?([^<]+)/g)].map((match) => match[1]);
    expect(titles.length).toBe(index.topics.get("ai")!.articles.length);
    // Later pages have paths, as the feeds' do, so that a static export can page too.
    expect((await page("/topics/ai/?page=2")).response.headers.get("location")).toBe(
      "/topics/ai/page/2/",
    );
    expect((await page("/topics/ai/page/1/")).response.headers.get("location")).toBe("/topics/ai/");
    expect((await page("/topics/ai/page/2/")).response.status).toBe(404); // six articles make one page of 20
    expect((await page("/topics/ai/?page=zero")).response.status).toBe(400);
  });

  it("redirect a name to its key and a missing trailing slash to the page", async () => {
    expect((await page("/topics/AI%20Hardware/")).response.headers.get("location")).toBe(
      "/topics/ai-hardware/",
    );
    expect((await page("/topics/ai")).response.headers.get("location")).toBe("/topics/ai/");
    expect((await page("/topics/nope/")).response.status).toBe(404);
  });

  it("are the HTML home of their feeds", async () => {
    const feed = parseXmlStrict((await page("/topics/ai/feed.atom")).body);
    const alternate = children(feed, "link").find(
      (link: XmlNode) => link.attributes.rel === "alternate",
    );
    expect(alternate?.attributes.href).toBe("http://localhost/topics/ai/");
  });
});

describe("the directories", () => {
  it("filter by name and sort, without JavaScript (a GET form)", async () => {
    const { body } = await page("/providers/?sort=newest&q=wire");
    expect(body).toContain('<form class="filter" method="get" action="/providers/" role="search">');
    expect(
      [...body.matchAll(/<td><a href="\/providers\/([^/]+)\/">/g)].map((match) => match[1]),
    ).toEqual(["example-wire.com"]);
    expect((await page("/providers/?sort=random")).response.status).toBe(400);
    expect((await page("/providers/?q=Wire&sort=name")).response.headers.get("location")).toBe(
      "/providers/?q=wire",
    );
    expect((await page("/providers/?q=Wire&sort=count")).response.headers.get("location")).toBe(
      "/providers/?sort=count&q=wire",
    );
    expect((await page("/providers/?page=1")).response.headers.get("location")).toBe("/providers/");
  });

  it("list by name on their own pages, so that one new article rewrites one of them", async () => {
    const names = (body: string) =>
      [...body.matchAll(/<td><a href="\/providers\/[^/]+\/">([^<]+)<\/a>/g)].map(
        (match) => match[1],
      );
    const byName = names((await page("/providers/")).body);
    expect(byName.length).toBeGreaterThan(1);
    expect(byName).toEqual([...byName].sort((a, b) => a.localeCompare(b, "en")));
    const byCount = names((await page("/providers/?sort=count")).body);
    expect([...byCount].sort()).toEqual([...byName].sort());
  });
});

describe("OPML", () => {
  const outlines = (node: XmlNode): XmlNode[] =>
    node.children.flatMap((child) =>
      child.name === "outline" ? [child, ...outlines(child)] : outlines(child),
    );

  it("lists the main feed, then one folder of topics and one of providers, one level deep", async () => {
    const opml = parseXmlStrict((await page("/feeds.opml")).body);
    expect(opml.attributes.version).toBe("2.0");
    const body = children(opml, "body")[0];
    expect(body.children.map((child) => child.attributes.text)).toEqual([
      "A.I. Every Day",
      "Topics",
      "Providers",
    ]);
    for (const folder of body.children.slice(1))
      expect(folder.children.every((child) => child.children.length === 0)).toBe(true);
    const feeds = outlines(opml).filter((outline) => outline.attributes.xmlUrl);
    expect(feeds).toHaveLength(1 + index.topics.size + index.providers.size);
    for (const feed of feeds) {
      expect(feed.attributes).toMatchObject({
        type: "rss",
        xmlUrl: expect.stringMatching(/^http:\/\/localhost\/.*feed\.rss$/),
        htmlUrl: expect.stringMatching(/^http:\/\/localhost\//),
      });
      expect(feed.attributes.text).toBe(feed.attributes.title);
    }
  });

  it("picks Atom or JSON Feed URLs with ?format, and refuses another", async () => {
    const atom = outlines(parseXmlStrict((await page("/topics.opml?format=atom")).body));
    expect(atom.every((outline) => outline.attributes.xmlUrl.endsWith("/feed.atom"))).toBe(true);
    expect((await page("/topics.opml?format=xml")).response.status).toBe(400);
    const one = outlines(parseXmlStrict((await page("/topics/ai/feeds.opml?format=json")).body));
    expect(one.map((outline) => outline.attributes.xmlUrl)).toEqual([
      "http://localhost/topics/ai/feed.json",
    ]);
  });
});

describe("crawlers' files", () => {
  it("sitemap.xml lists every page once, with its newest date", async () => {
    const sitemap = parseXmlStrict((await page("/sitemap.xml")).body);
    const locs = children(sitemap, "url").map((url) => children(url, "loc")[0].text);
    expect(locs.length).toBe(3 + index.topics.size + index.providers.size);
    expect(new Set(locs).size).toBe(locs.length);
    expect(locs).toContain("http://localhost/topics/ai/");
  });

  it("robots.txt points at the sitemap; favicon.ico is an icon file", async () => {
    expect((await page("/robots.txt")).body).toBe(
      "User-agent: *\nAllow: /\nSitemap: http://localhost/sitemap.xml\n",
    );
    const icon = await app.request("http://localhost/favicon.ico");
    expect(icon.headers.get("content-type")).toBe("image/x-icon");
    const bytes = new Uint8Array(await icon.arrayBuffer());
    expect([...bytes.slice(0, 6)]).toEqual([0, 0, 1, 0, 1, 0]); // reserved, type icon, one image
    expect([...bytes.slice(22, 26)]).toEqual([0x89, 0x50, 0x4e, 0x47]); // the PNG inside
  });

  it("serve the stylesheet under a content-hashed name, cached for a year", async () => {
    const href = /<link rel="stylesheet" href="([^"]+)"/.exec((await page("/")).body)![1];
    const css = await app.request(`http://localhost${href}`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });
});
