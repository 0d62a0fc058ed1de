/**
 * RFC 5005 archives: a client that starts at any subscription document and
 * follows prev-archive (RSS, Atom), next (paging clients) or next_url (JSON
 * Feed) to the end sees every article of the feed; complete archives never
 * change when a newer article arrives, and an older one changes only the
 * archives from its position on; the group pages' archives stay put likewise.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syntheticArticles } from "../src/content/synthetic.js";
import type { Article } from "../src/content/article.js";
import { loadConfig } from "../src/config.js";
import { checkFeed } from "../src/feeds/check.js";
import { FORMAT_NAMES, type FeedFormat, feedPath, pagePath } from "../src/scheme/paths.js";
import { createApp } from "../src/http/app.js";
import { buildIndex } from "../src/index/index.js";
import { type StoreScope, createMemoryStore } from "../src/index/store.js";
import { readArticleDir } from "../src/sources/fs-source.js";
import {
  TEST_NOW,
  child,
  children,
  fixtureApp,
  htmlProblems,
  idInFeed,
  parseWithFeedParser,
  parseXmlStrict,
} from "./helpers.js";

const ORIGIN = "https://feeds.example.com";
const ENV = { PUBLIC_URL: ORIGIN, FEED_LIMIT: "2" };
type App = { request(url: string, init?: RequestInit): Response | Promise<Response> };

interface Document {
  url: string;
  ids: string[];
  /** rel -> href of the feed-level links (JSON Feed: `next` is next_url). */
  links: Map<string, string>;
  history: string[];
  cacheControl: string | null;
}

async function fetchDocument(app: App, url: string, format: FeedFormat): Promise<Document> {
  const response = await app.request(url);
  expect(response.status, url).toBe(200);
  const body = await response.text();
  expect(checkFeed(format, body).problems, url).toEqual([]);
  const cacheControl = response.headers.get("cache-control");
  if (format === "json") {
    const feed = JSON.parse(body) as { next_url?: string; items: { id: string }[] };
    return {
      url,
      ids: feed.items.map((item) => item.id),
      links: new Map(feed.next_url ? [["next", feed.next_url]] : []),
      history: [],
      cacheControl,
    };
  }
  const root = parseXmlStrict(body);
  const feed = format === "rss" ? child(root, "channel") : root;
  const links = new Map(
    children(feed, format === "rss" ? "atom:link" : "link").map((link) => [
      link.attributes.rel,
      link.attributes.href,
    ]),
  );
  const history = feed.children
    .filter((node) => node.name.startsWith("fh:"))
    .map((node) => node.name);
  // A real feed parser reads the same entries.
  const parsed = parseWithFeedParser(body);
  const ids =
    format === "rss"
      ? children(feed, "item").map((item) => child(item, "guid").text)
      : children(feed, "entry").map((entry) => child(entry, "id").text);
  expect(parsed.items.length).toBe(ids.length);
  return { url, ids, links, history, cacheControl };
}

/** From the subscription document along `rel` to the end: every document, in order. */
async function walk(app: App, start: string, format: FeedFormat, rel: string): Promise<Document[]> {
  const documents = [await fetchDocument(app, start, format)];
  for (
    let next = documents[0].links.get(rel);
    next !== undefined;
    next = documents.at(-1)!.links.get(rel)
  ) {
    expect(documents.length, `${start}: a loop along ${rel}`).toBeLessThan(100);
    documents.push(await fetchDocument(app, next, format));
  }
  return documents;
}

function scopesOf(index: ReturnType<typeof buildIndex>): StoreScope[] {
  return [
    { kind: "all" },
    ...[...index.topics.keys()].map((key) => ({ kind: "topic" as const, key })),
    ...[...index.providers.keys()].map((key) => ({ kind: "provider" as const, key })),
  ];
}

const articlesOf = (index: ReturnType<typeof buildIndex>, scope: StoreScope) =>
  scope.kind === "all"
    ? index.articles
    : (scope.kind === "topic" ? index.topics : index.providers).get(scope.key)!.articles;

describe("archived feeds (RFC 5005 §4)", () => {
  it.each(["prev-archive", "next"])(
    "from every subscription document along %s, every article of the feed once per archive, in RSS and Atom",
    async (rel) => {
      const { app, index } = await fixtureApp(ENV);
      let archived = 0;
      for (const scope of scopesOf(index)) {
        const path = feedPath(scope);
        const expected = articlesOf(index, scope).map((article) => idInFeed(path, article));
        for (const format of ["rss", "atom"] as const) {
          const [subscription, ...archives] = await walk(
            app,
            `${ORIGIN}${path}.${format}`,
            format,
            rel,
          );
          const seen = new Set(subscription.ids);
          for (const archive of archives) {
            archived++;
            expect(archive.history, archive.url).toEqual(["fh:archive"]);
            expect(archive.links.get("current"), archive.url).toBe(subscription.url);
            expect(archive.cacheControl, archive.url).toBe("public, max-age=31536000, immutable");
            // Archives hold disjoint sets; only the newest may repeat what the subscription document shows.
            for (const id of archive.ids) {
              if (archive !== archives[0])
                expect(seen.has(id), `${archive.url}: ${id} seen before`).toBe(false);
              seen.add(id);
            }
          }
          expect([...seen].sort(), `${path}.${format}`).toEqual([...expected].sort());
          // Small feeds say they are complete, and have no archive.
          expect(subscription.history, path).toEqual(expected.length <= 2 ? ["fh:complete"] : []);
        }
      }
      expect(archived).toBeGreaterThan(5);
    },
  );

  it("JSON Feed reaches the same archives through next_url", async () => {
    const { app, index } = await fixtureApp(ENV);
    for (const scope of scopesOf(index)) {
      const path = feedPath(scope);
      const [, ...rss] = await walk(app, `${ORIGIN}${path}.rss`, "rss", "prev-archive");
      const [subscription, ...json] = await walk(app, `${ORIGIN}${path}.json`, "json", "next");
      expect(json.map((document) => document.url)).toEqual(
        rss.map((document) => document.url.replace(/\.rss$/, ".json")),
      );
      expect(json.map((document) => document.ids)).toEqual(rss.map((document) => document.ids));
      const all = new Set([subscription, ...json].flatMap((document) => document.ids));
      expect(all.size, path).toBe(articlesOf(index, scope).length);
    }
  });

  it("links the next archive before it is complete: live, it leads to the feed; past it, a 404 that says which archives exist", async () => {
    const { app, store } = await fixtureApp(ENV);
    // The fixtures publish 7 articles: archives 1 to 3 are complete; the 7th article is in the feed only.
    expect((await store.overview()).articles).toBe(7);
    const newest = await fetchDocument(app, `${ORIGIN}/feed/archive/3.atom`, "atom");
    expect(newest.links.get("next-archive")).toBe(`${ORIGIN}/feed/archive/4.atom`);
    const filling = await app.request(`${ORIGIN}/feed/archive/4.atom`);
    expect([filling.status, filling.headers.get("location")]).toEqual([302, "/feed.atom"]);
    expect(filling.headers.get("cache-control")).not.toContain("immutable");
    const beyond = await app.request(`${ORIGIN}/feed/archive/5.atom`);
    expect(beyond.status).toBe(404);
    expect(await beyond.text()).toContain("it has archives 1 to 3, oldest first");
    expect((await app.request(`${ORIGIN}/feed/archive/0.rss`)).status).toBe(404);
    expect((await app.request(`${ORIGIN}/feed/archive/01.rss`)).status).toBe(404);
    const query = await app.request(`${ORIGIN}/feed/archive/2.rss?limit=5`);
    expect([query.status, query.headers.get("location")]).toEqual([301, "/feed/archive/2.rss"]);
    const spelled = await app.request(`${ORIGIN}/topics/AI/feed/archive/1.json`);
    expect([spelled.status, spelled.headers.get("location")]).toEqual([
      301,
      "/topics/ai/feed/archive/1.json",
    ]);
    // Validators hold as for any feed.
    const first = await app.request(`${ORIGIN}/feed/archive/1.rss`);
    const again = await app.request(`${ORIGIN}/feed/archive/1.rss`, {
      headers: { "If-None-Match": first.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
  });

  it("answers the pages counted from the newest live still, for links kept from before", async () => {
    const { app } = await fixtureApp(ENV);
    const page = await fetchDocument(app, `${ORIGIN}/feed/page/2.rss`, "rss");
    expect([...page.links.keys()]).toEqual(["self", "first", "previous", "next", "last"]);
    expect((await app.request(`${ORIGIN}/topics/ai/page/2/`)).status).toBe(404); // 20 a page: ai has one
  });
});

// Each test renders every archive of 400 articles, several times over: seconds on a busy machine.
describe("archives stay put", { timeout: 30_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "feedloom-archives-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const corpus = syntheticArticles(400, { seed: 7 });
  for (const { name, text } of corpus) writeFileSync(join(work, name), text);
  const config = loadConfig({ PUBLIC_URL: ORIGIN });
  const appOf = (articles: Article[]) =>
    createApp({
      store: createMemoryStore(buildIndex(articles), String(articles.length), {
        now: () => TEST_NOW,
      }),
      config,
    });
  /** Every complete archive of a scope, feed and page, by URL: its bytes. */
  const archiveBytes = async (app: App, scope: StoreScope, count: number) => {
    const urls = [
      ...Array.from({ length: Math.floor(count / 50) }, (_, i) =>
        FORMAT_NAMES.map(
          (format) =>
            `${feedPath(scope)}/archive/${i + 1}.${format === "rss" ? "rss" : format === "atom" ? "atom" : "json"}`,
        ),
      ).flat(),
      ...(scope.kind === "all"
        ? []
        : Array.from(
            { length: Math.floor(count / 20) },
            (_, i) => `${pagePath(scope)}archive/${i + 1}/`,
          )),
    ];
    const bytes = new Map<string, string>();
    for (const url of urls) {
      const response = await app.request(`${ORIGIN}${url}`);
      expect(response.status, url).toBe(200);
      bytes.set(url, await response.text());
    }
    return bytes;
  };
  const withArticle = (articles: Article[], published: string): Article[] => {
    const template = articles.find(
      (article) => article.isPublished && article.topics.includes("AI"),
    )!;
    const url = `https://example.com/news/${published}`;
    const id = `urn:uuid:00000000-0000-5000-8000-${String(Date.parse(published)).padStart(12, "0").slice(-12)}`;
    return [
      ...articles,
      {
        ...template,
        id,
        url,
        title: `New on ${published}`,
        published,
        file: `${published}.md`,
        isPublished: true,
      },
    ];
  };

  it("a group's page leads through its archives, Older after Older, to its first article: each shown once, each page valid HTML", async () => {
    const articles = (await readArticleDir(work)).flatMap((file) =>
      file.article ? [file.article] : [],
    );
    const index = buildIndex(articles);
    const app = appOf(articles);
    for (const scope of [
      { kind: "topic", key: "ai" },
      { kind: "topic", key: "aws-ai" },
    ] as const) {
      const expected = articlesOf(index, scope).map((article) => article.url);
      const seen: string[] = [];
      const pages: string[] = [];
      for (let path: string | undefined = pagePath(scope); path !== undefined;) {
        const response = await app.request(`${ORIGIN}${path}`);
        expect(response.status, path).toBe(200);
        const html = await response.text();
        if (pages.length < 3) expect(await htmlProblems(html), path).toEqual([]);
        const shown = [...html.matchAll(/<h3[^>]*><a href="([^"]+)"/g)].map((match) =>
          match[1].replace(/&amp;/g, "&"),
        );
        expect(shown.length, path).toBeGreaterThan(0);
        // The group's page may show what the newest archive holds too; archives never repeat one another.
        seen.push(...(pages.length === 1 ? shown.filter((url) => !seen.includes(url)) : shown));
        pages.push(path);
        path = /<a href="([^"]+)" rel="next">/.exec(html)?.[1];
      }
      expect(pages.length, scope.key).toBeGreaterThan(1);
      expect(pages.at(-1)).toBe(`${pagePath(scope)}archive/1/`);
      expect([...seen].sort(), scope.key).toEqual([...expected].sort());
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it("a newer article changes no complete archive; an older one, only the archives from its place on", async () => {
    const articles = (await readArticleDir(work)).flatMap((file) =>
      file.article ? [file.article] : [],
    );
    const scopes: StoreScope[] = [{ kind: "all" }, { kind: "topic", key: "ai" }];
    for (const scope of scopes) {
      const index = buildIndex(articles);
      const count = articlesOf(index, scope).length;
      const before = await archiveBytes(appOf(articles), scope, count);
      expect(before.size).toBeGreaterThan(9);

      const newer = withArticle(articles, "2026-11-01T08:00:00Z");
      const afterNewer = await archiveBytes(appOf(newer), scope, count);
      for (const [url, body] of before)
        expect(afterNewer.get(url) === body, `${url} changed for a newer article`).toBe(true);

      // An article as old as the 120th from the oldest: it lands at about that position, inside archive 3 (of 50) and page archive 6 (of 20).
      const oldestFirst = [...articlesOf(index, scope)].reverse();
      const older = withArticle(articles, oldestFirst[119].published);
      const position = [...articlesOf(buildIndex(older), scope)]
        .reverse()
        .findIndex((article) => article.title.startsWith("New on"));
      expect(position).toBeGreaterThan(100);
      const afterOlder = await archiveBytes(appOf(older), scope, count);
      for (const [url, body] of before) {
        const number = Number(/archive\/(\d+)/.exec(url)![1]);
        const size = url.endsWith("/") ? 20 : 50;
        // The archive holding its position and every later one shift by one article; earlier ones stay,
        // but for the newest page archive, which gains a link to a newer one when the article completes it.
        const completesOne =
          url.endsWith("/") &&
          number === Math.floor(count / size) &&
          Math.floor((count + 1) / size) > number;
        expect(afterOlder.get(url) === body, `${url} (new article at position ${position})`).toBe(
          number <= Math.floor(position / size) && !completesOne,
        );
      }
    }
  });
});
