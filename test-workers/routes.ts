/** Every route and format of the bundled sample data, for the Node-vs-Workers comparison. */
import type { ContentIndex } from "../src/index/index.js";
import { EMBED_ASSETS } from "../src/http/embed/routes.js";
import { ASSETS } from "../src/http/pages/assets.js";

/** The instant the digest routes are compared at: days and weeks of the sample data are closed then. */
export const DIGEST_NOW = Date.parse("2022-09-12T12:00:00Z");

/** Digest feeds and pages of the sample data, asked at DIGEST_NOW. */
export function digestRoutes(index: Pick<ContentIndex, "topics">): string[] {
  const feeds = (base: string) =>
    ["rss", "atom", "json"].flatMap((format) => [
      `${base}/digest/daily.${format}`,
      `${base}/digest/weekly.${format}`,
    ]);
  return [
    ...feeds(""),
    ...[...index.topics.keys()].flatMap((key) => feeds(`/topics/${encodeURIComponent(key)}`)),
    "/digest/daily/2022-09-09/",
    "/digest/weekly/2022-W36/",
    "/topics/ai/digest/weekly/2022-W36/",
    "/digest/daily/2022-09-10/",
  ];
}

export function everyRoute(index: Pick<ContentIndex, "topics" | "providers">): string[] {
  const feeds = (base: string) =>
    ["rss", "atom", "json"].flatMap((format) => [
      `${base}.${format}`,
      `${base}.${format}?limit=1&page=2`,
    ]);
  return [
    "/",
    "/topics.json",
    "/providers.json",
    ...feeds("/feed"),
    ...[...index.topics.keys()].flatMap((key) => feeds(`/topics/${encodeURIComponent(key)}/feed`)),
    ...[...index.providers.keys()].flatMap((key) =>
      feeds(`/providers/${encodeURIComponent(key)}/feed`),
    ),
    "/feed.json?q=nvidia&since=2022-01-01",
    // Two published sample articles fit in the feed: no archive, and past the first (still filling) a 404 that says so.
    "/feed/archive/3.atom",
    "/topics/ai/feed/archive/2.json",
    "/topics/no-such-topic/feed.rss",
    "/feed.rss?limit=0",
    // Pages, OPML, crawlers' files and the pages' assets.
    "/topics/",
    "/providers/",
    "/providers/?sort=name&q=e",
    ...[...index.topics.keys()].flatMap((key) => [
      `/topics/${encodeURIComponent(key)}/`,
      `/topics/${encodeURIComponent(key)}/feeds.opml`,
    ]),
    ...[...index.providers.keys()].map((key) => `/providers/${encodeURIComponent(key)}/`),
    "/feeds.opml",
    "/feeds.opml?format=json",
    "/topics.opml",
    "/providers.opml?format=atom",
    "/sitemap.xml",
    "/robots.txt",
    ASSETS.style.path,
    ASSETS.copy.path,
    "/topics/no-such-topic/",
    // Embedding: the component and the iframe pages.
    "/embed.js",
    EMBED_ASSETS.style.path,
    EMBED_ASSETS.resize.path,
    "/embed/",
    "/embed/?limit=3&layout=cards&date=false",
    ...[...index.topics.keys()].map((key) => `/embed/topics/${encodeURIComponent(key)}/`),
    ...[...index.providers.keys()].map(
      (key) => `/embed/providers/${encodeURIComponent(key)}/?image=true&excerpt=true`,
    ),
  ];
}
