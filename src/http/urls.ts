/**
 * Every URL the service answers without a query string: what a static export
 * writes (`npm run export` requests each one through the app, so static and
 * live files cannot drift apart). Later pages are the `/page/N` paths.
 */
import type { Config } from "../config.js";
import { FORMAT_NAMES, FORMATS, feedPath, pagePath } from "../feeds/model.js";
import type { ContentStore, GroupKind, StoreScope } from "../index/store.js";
import { EMBED_ASSETS } from "./embed/routes.js";
import { SEGMENT } from "./groups.js";
import { ICON_PATH } from "./icon.js";
import { ASSETS } from "./pages/assets.js";
import { ARTICLES_PER_PAGE, GROUPS_PER_PAGE } from "./pages/routes.js";
import { withArticles } from "./digest-links.js";
import { DIGEST_KINDS, closedPeriods } from "../index/digest.js";
import { digestPagePath, digestPath } from "../feeds/digest.js";

const pagesOf = (count: number, perPage: number) => Math.max(1, Math.ceil(count / perPage));

function feedUrls(scope: StoreScope, count: number, limit: number): string[] {
  const base = feedPath(scope);
  const urls: string[] = [];
  for (const format of FORMAT_NAMES) {
    const extension = FORMATS[format].extension;
    urls.push(`${base}.${extension}`);
    for (let page = 2; page <= pagesOf(count, limit); page++) urls.push(`${base}/page/${page}.${extension}`);
  }
  return urls;
}

/** A scope's digest feeds, and the page of every period their items link (the closed periods that have articles). */
async function digestUrlsOf(store: ContentStore, config: Config, scope: StoreScope): Promise<string[]> {
  const urls: string[] = [];
  for (const kind of DIGEST_KINDS) {
    for (const format of FORMAT_NAMES) urls.push(`${digestPath(scope, kind)}.${FORMATS[format].extension}`);
    for (const { period, ranked } of await withArticles(store, scope, closedPeriods(kind, store.instant(), config.digestTimeZone))) {
      if (ranked.length > 0) urls.push(digestPagePath(scope, kind, period.key));
    }
  }
  return urls;
}

export async function everyStaticUrl(store: ContentStore, config: Config): Promise<string[]> {
  const overview = await store.overview();
  const urls = [
    "/",
    "/topics.json",
    "/providers.json",
    "/feeds.opml",
    "/topics.opml",
    "/providers.opml",
    "/sitemap.xml",
    "/robots.txt",
    "/favicon.ico",
    ICON_PATH,
    "/embed.js",
    "/embed/",
    ...[...Object.values(ASSETS), ...Object.values(EMBED_ASSETS)].map((asset) => asset.path),
    ...feedUrls({ kind: "all" }, overview.articles, config.defaultLimit),
    ...(await digestUrlsOf(store, config, { kind: "all" })),
  ];
  for (const kind of ["topic", "provider"] as GroupKind[]) {
    const groups = await store.groups(kind);
    urls.push(`/${SEGMENT[kind]}/`);
    for (let page = 2; page <= pagesOf(groups.length, GROUPS_PER_PAGE); page++) urls.push(`/${SEGMENT[kind]}/page/${page}/`);
    for (const group of groups) {
      const scope: StoreScope = { kind, key: group.key };
      const page = pagePath(scope);
      urls.push(page, `${page}feeds.opml`, `/embed${page}`);
      for (let n = 2; n <= pagesOf(group.count, ARTICLES_PER_PAGE); n++) urls.push(`${page}page/${n}/`);
      urls.push(...feedUrls(scope, group.count, config.defaultLimit));
      if (kind === "topic") urls.push(...(await digestUrlsOf(store, config, scope)));
    }
  }
  return urls;
}
