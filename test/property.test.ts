/**
 * Property tests: whatever an article's text and URL fields contain (control
 * characters, lone surrogates, markup, CDATA terminators, bidi controls, very
 * long values), every format stays parseable and a reader gets back exactly
 * the text that went in, minus only the characters XML cannot carry.
 */
import fc from "fast-check";
import { decode } from "html-entities";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import type { Article } from "../src/content/article.js";
import { parseArticleFile } from "../src/content/parse.js";
import { parseHttpUrl } from "../src/content/schema.js";
import { checkFeed } from "../src/feeds/check.js";
import { buildFeed } from "../src/feeds/model.js";
import { renderFeed } from "../src/feeds/render.js";
import { child, children, parseXmlStrict } from "./helpers.js";

/**
 * XML 1.0's Char production less DEL and the C1 controls (which the W3C feed
 * validator flags), written out independently of the renderer's own regular expression.
 */
function xmlCarries(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0x7e) ||
      (code >= 0xa0 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (allowed) out += char;
  }
  return out;
}

const hostile = fc.constantFrom(
  "]]>",
  "<![CDATA[",
  "&amp;",
  "&#38;",
  "<script>alert(1)</script>",
  "</b>",
  "\u202e",
  "\u200f",
  "\u0000",
  "\u0001",
  "\u001f",
  "\ud800",
  "\udfff",
  "\ufffe",
  "\uffff",
  "\r\n",
  "\r",
  "\t",
  '"',
  "'",
  "🤖",
  "\u0085",
  "\u007f",
  "\u009f",
);
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc
    .array(fc.oneof(hostile, fc.string({ unit: "binary", maxLength: 5 })), { maxLength: 12 })
    .map((parts) => parts.join("")),
  fc.string({ unit: "binary", minLength: 2_000, maxLength: 6_000 }),
);
/** Non-empty after dropping what XML cannot carry, as titles and names are after validation. */
const someText = anyText.filter((text) => xmlCarries(text).trim() !== "");
/** URLs as the content boundary accepts them: anything appended to an http(s) base, normalised. */
const anyUrl = fc
  .tuple(fc.constantFrom("https://example.com/", "http://news.example.org/a?b=1&c="), anyText)
  .map(([base, tail]) => parseHttpUrl(base + tail))
  .filter((url): url is string => url !== undefined);

const articleArbitrary = fc.record({
  title: someText,
  summary: anyText,
  url: anyUrl,
  providerName: someText,
  topics: fc.array(someText, { minLength: 1, maxLength: 3 }),
  imageUrl: anyUrl,
  relatedTitle: someText,
  relatedUrl: anyUrl,
});

type Fields = typeof articleArbitrary extends fc.Arbitrary<infer T> ? T : never;

function articleOf(fields: Fields): Article {
  return {
    id: "urn:uuid:3f0b3b3e-1111-5222-8333-444455556666",
    file: "property.md",
    title: fields.title,
    summary: fields.summary,
    published: "2022-06-30T23:48:00Z",
    url: fields.url,
    provider: { name: fields.providerName, domain: "example.com" },
    topics: fields.topics,
    image: { url: fields.imageUrl, width: 100, height: 50 },
    related: [{ title: fields.relatedTitle, url: fields.relatedUrl }],
    isPublished: true,
  };
}

const config = loadConfig({});
const render = (article: Article, format: "rss" | "atom" | "json") =>
  renderFeed(
    buildFeed(
      { kind: "all" },
      { articles: [article], total: 1, newest: article.published },
      { limit: 50, page: 1 },
      { config, origin: "https://feeds.example.net" },
    ),
    format,
  );

// 150 generated articles a format: CPU-bound work that takes seconds on a busy machine.
describe("any article text", { timeout: 30_000 }, () => {
  it("RSS: strict XML, and every text field reads back as written", () => {
    fc.assert(
      fc.property(articleArbitrary, (fields) => {
        const article = articleOf(fields);
        const body = render(article, "rss");
        expect(checkFeed("rss", body).problems).toEqual([]);
        const item = child(child(parseXmlStrict(body), "channel"), "item");
        expect(child(item, "title").text).toBe(xmlCarries(article.title));
        expect(decode(child(item, "description").text)).toBe(xmlCarries(article.summary));
        expect(child(item, "link").text).toBe(article.url);
        expect(children(item, "category").map((node) => node.text)).toEqual(
          article.topics.map(xmlCarries),
        );
        expect(child(item, "source").text).toBe(xmlCarries(article.provider.name));
        expect(child(item, "media:content").attributes.url).toBe(article.image!.url);
      }),
      { numRuns: 150 },
    );
  });

  it("Atom: strict XML, and every text field reads back as written", () => {
    fc.assert(
      fc.property(articleArbitrary, (fields) => {
        const article = articleOf(fields);
        const body = render(article, "atom");
        expect(checkFeed("atom", body).problems).toEqual([]);
        const entry = child(parseXmlStrict(body), "entry");
        expect(decode(child(entry, "title").text)).toBe(xmlCarries(article.title));
        if (article.summary)
          expect(decode(child(entry, "summary").text)).toBe(xmlCarries(article.summary));
        expect(children(entry, "category").map((node) => node.attributes.term)).toEqual(
          article.topics.map(xmlCarries),
        );
        expect(child(child(entry, "author"), "name").text).toBe(xmlCarries(article.provider.name));
        const links = Object.fromEntries(
          children(entry, "link").map((link) => [link.attributes.rel, link.attributes.href]),
        );
        expect(links).toEqual({ alternate: article.url, enclosure: article.image!.url });
        // The related article's title stays text inside the content's HTML: no markup of its own.
        const related = /<a href="([^"]*)">([^<]*)<\/a>/.exec(child(entry, "content").text)!;
        expect(decode(related[1])).toBe(article.related[0].url);
        expect(decode(related[2])).toBe(xmlCarries(article.related[0].title));
      }),
      { numRuns: 150 },
    );
  });

  it("JSON Feed: valid JSON that carries every character exactly", () => {
    fc.assert(
      fc.property(articleArbitrary, (fields) => {
        const article = articleOf(fields);
        const body = render(article, "json");
        expect(checkFeed("json", body).problems).toEqual([]);
        expect(body).not.toContain("<");
        const item = JSON.parse(body).items[0];
        expect(item.title).toBe(article.title);
        expect(item.summary ?? "").toBe(article.summary);
        expect(item.url).toBe(article.url);
        expect(item.tags).toEqual(article.topics);
        expect(item.authors[0].name).toBe(article.provider.name);
        expect(item.image).toBe(article.image!.url);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the content boundary", { timeout: 30_000 }, () => {
  it("reads any quoted YAML text as NFC text with no control characters or lone surrogates", () => {
    const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;
    fc.assert(
      fc.property(anyText, anyText, (title, excerpt) => {
        const file = [
          "---",
          `title: ${JSON.stringify(`t${title}`)}`,
          `excerpt: ${JSON.stringify(excerpt)}`,
          "publishedDateTime: 2022-01-01",
          'webUrl: "https://example.com/a"',
          "provider:\n  name: Example\n  domain: example.com",
          "---",
        ].join("\n");
        const { article, issues } = parseArticleFile("property.md", file);
        if (!article) {
          expect(issues.length).toBeGreaterThan(0); // a title over 1,000 characters is refused with a reason
          return;
        }
        for (const text of [article.title, article.summary]) {
          expect(text).not.toMatch(controls);
          expect(text.isWellFormed()).toBe(true);
          expect(text).toBe(text.normalize("NFC"));
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** What parseHttpUrl must give, straight from the WHATWG parser (its definition, without the shortcut for URLs already normal). */
function whatwgHttpUrl(value: string): string | undefined {
  const url = URL.parse(value.trim().replace(/&(?:#0*38|amp);/gi, "&"));
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "")
    return undefined;
  return url.href;
}

describe("URLs in front matter", () => {
  it("come out as the WHATWG parser serialises them, however near to normal they are", () => {
    // Pieces chosen to sit on each edge of the shortcut: case, IPv4-like and punycode hosts, ports,
    // dot segments, escapes, fragments, entities, characters a query or path would escape.
    const piece = fc.constantFrom(
      ...["a", "Z", "0", "9", "-", ".", "..", "/", "_", "~", "%2e", "%zz", "?", "=", "&", "#"],
      ...["&amp;", "&#038;", ":", ":443", "@", "'", " ", "\t", "xn--", "xn--zz", "0x7f", "é"],
    );
    const part = fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join(""));
    const host = fc.oneof(
      fc.constantFrom(
        "example.com",
        "www.example-wire.com",
        "1.2.3",
        "0x7f.1",
        "a.b.",
        "EXAMPLE.org",
      ),
      part,
    );
    fc.assert(
      fc.property(
        fc.constantFrom("https://", "http://", "HTTP://", "ftp://", " https://"),
        host,
        part,
        (scheme, hostname, path) => {
          const value = `${scheme}${hostname}/${path}`;
          expect(parseHttpUrl(value)).toBe(whatwgHttpUrl(value));
        },
      ),
      { numRuns: 5_000 },
    );
  });
});

describe("the feed checker", () => {
  it("finds what breaks feeds, so a pass means something", () => {
    const article = articleOf({
      title: "T",
      summary: "S",
      url: "https://a.example/",
      providerName: "P",
      topics: ["AI"],
      imageUrl: "https://a.example/i.jpg",
      relatedTitle: "R",
      relatedUrl: "https://a.example/r",
    });
    const rss = render(article, "rss");
    expect(checkFeed("rss", rss).problems).toEqual([]);
    expect(
      checkFeed("rss", rss.replace("<title>T</title>", "<title>T\u0001</title>")).problems[0],
    ).toMatch(/^not well-formed XML/);
    expect(
      checkFeed("rss", rss.replace("</item>", "</item>" + rss.match(/<item>.*<\/item>/s)![0]))
        .problems,
    ).toContain(`item 2: id ${article.id} repeats`);
    expect(checkFeed("rss", rss.replace(/<atom:link rel="self"[^>]*\/>/, "")).problems).toContain(
      "no self link",
    );
    const json = JSON.parse(render(article, "json"));
    expect(
      checkFeed("json", JSON.stringify({ ...json, version: "https://jsonfeed.org/version/1" }))
        .problems[0],
    ).toMatch(/not the JSON Feed 1\.1 URL/);
    expect(
      checkFeed("json", JSON.stringify({ ...json, items: [{ ...json.items[0], id: 7 }] })).problems,
    ).toContain("item 1: id is not a string");
  });
});
