/**
 * The URLs the Node-vs-Workers comparison asks: every URL of the URL scheme
 * that an export would write (src/scheme/routes.ts), and the live-only ones
 * the scheme has no list of (queries, later pages, redirects and 404s).
 */
import type { Config } from "../src/config.js";
import { SITE_ASSETS } from "../src/http/assets.js";
import type { ContentStore } from "../src/index/store.js";
import { everyStaticUrl } from "../src/scheme/routes.js";

/** The instant the digest routes are compared at: days and weeks of the sample data are closed then. */
export const DIGEST_NOW = Date.parse("2022-09-12T12:00:00Z");

const staticUrls = async (store: ContentStore, config: Config) =>
  (
    await everyStaticUrl(
      store,
      config,
      SITE_ASSETS.map((asset) => asset.path),
    )
  ).map(({ url }) => url);

/** Digest feeds and pages of the sample data (asked of a store at DIGEST_NOW), and a day that had none. */
export async function digestRoutes(store: ContentStore, config: Config): Promise<string[]> {
  return [
    ...(await staticUrls(store, config)).filter((url) => url.includes("/digest/")),
    "/digest/daily/2022-09-10/",
  ];
}

export async function everyRoute(store: ContentStore, config: Config): Promise<string[]> {
  return [
    ...(await staticUrls(store, config)),
    // Pages of feeds, filters, and what the scheme answers with a 400 or a 404 (the Worker's tests follow redirects).
    "/feed.rss?limit=1&page=2",
    "/topics/ai/feed.atom?limit=1&page=2",
    "/providers/nvidia.com/feed.json?limit=1&page=2",
    "/feed/page/2.rss",
    "/feed.json?q=nvidia&since=2022-01-01",
    "/feed/archive/3.atom",
    "/topics/ai/feed/archive/2.json",
    "/topics/no-such-topic/feed.rss",
    "/feed.rss?limit=0",
    "/providers/?sort=count&q=e",
    "/topics/no-such-topic/",
    "/feeds.opml?format=json",
    "/providers.opml?format=atom",
    "/embed/?limit=3&layout=cards&date=false",
    "/embed/topics/ai/?image=true&excerpt=true",
    "/assets/no-such-asset.css",
  ];
}
