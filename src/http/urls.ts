/**
 * Every URL the service answers without a query string: what a static export
 * writes (`npm run export` requests each one through the app, so static and
 * live files cannot drift apart). History is the archives, counted from the
 * oldest; the pages counted from the newest (`/page/N`) answer live only.
 *
 * Each URL comes with what its bytes depend on besides the code and the
 * configuration: the export fingerprints those inputs and renders a file
 * again only when they changed, so one new article costs a few dozen files,
 * not every page its arrival would have shifted.
 */
import type { Article } from "../content/article.js";
import type { Config } from "../config.js";
import {
  FORMAT_NAMES,
  FORMATS,
  archiveLocator,
  completeArchives,
  feedPath,
  pagePath,
} from "../feeds/model.js";
import type { ContentStore, GroupInfo, GroupKind, StoreScope } from "../index/store.js";
import { EMBED_ASSETS } from "./embed/routes.js";
import { SEGMENT } from "./groups.js";
import { ICON_PATH } from "./icon.js";
import { ASSETS } from "./pages/assets.js";
import { ARTICLES_PER_PAGE, GROUPS_PER_PAGE, archivePagePath } from "./pages/routes.js";
import { withArticles } from "./digest-links.js";
import { DIGEST_KINDS, closedPeriods, currentDayKey } from "../index/digest.js";
import { digestPagePath, digestPath } from "../feeds/digest.js";

export interface StaticUrl {
  url: string;
  /**
   * What the body depends on besides code and configuration: strings, numbers,
   * plain records and articles (arrays of them too). The same inputs give the
   * same bytes, so an export that recorded them may skip the URL.
   */
  inputs: readonly unknown[];
}

const pagesOf = (count: number, perPage: number) => Math.max(1, Math.ceil(count / perPage));

/** Archive `number` of `size` articles, from a newest-first list: positions (number-1)·size to number·size-1 from the oldest, newest first. */
const archiveOf = (newestFirst: readonly Article[], number: number, size: number) =>
  newestFirst.slice(newestFirst.length - number * size, newestFirst.length - (number - 1) * size);

/**
 * A scope's feeds: the subscription document in every format (it depends on
 * the scope as a whole), and each complete archive, which depends on its own
 * articles only.
 */
function feedUrlsOf(
  scope: StoreScope,
  about: unknown,
  articles: readonly Article[],
  limit: number,
): StaticUrl[] {
  const base = feedPath(scope);
  const urls: StaticUrl[] = [];
  for (const format of FORMAT_NAMES)
    urls.push({ url: `${base}.${FORMATS[format].extension}`, inputs: [about, articles] });
  for (let number = 1; number <= completeArchives(articles.length, limit); number++) {
    const inputs = [archiveOf(articles, number, limit)];
    for (const format of FORMAT_NAMES)
      urls.push({ url: `${base}${archiveLocator(number)}.${FORMATS[format].extension}`, inputs });
  }
  return urls;
}

/**
 * A scope's digest feeds (they depend on the day and the closed periods'
 * articles), and the page of every period their items link, which depends on
 * that period's articles only.
 */
async function digestUrlsOf(
  store: ContentStore,
  config: Config,
  scope: StoreScope,
  name: string,
  day: string,
): Promise<StaticUrl[]> {
  const urls: StaticUrl[] = [];
  for (const kind of DIGEST_KINDS) {
    const periods = await withArticles(
      store,
      scope,
      closedPeriods(kind, store.instant(), config.digestTimeZone),
    );
    const feedInputs = [day, name, ...periods.map(({ period, ranked }) => [period.key, ranked])];
    for (const format of FORMAT_NAMES)
      urls.push({
        url: `${digestPath(scope, kind)}.${FORMATS[format].extension}`,
        inputs: feedInputs,
      });
    for (const { period, ranked } of periods) {
      if (ranked.length > 0)
        urls.push({ url: digestPagePath(scope, kind, period.key), inputs: [name, ranked] });
    }
  }
  return urls;
}

export async function everyStaticUrl(store: ContentStore, config: Config): Promise<StaticUrl[]> {
  const [overview, version] = await Promise.all([store.overview(), store.version()]);
  const day = currentDayKey(store.instant(), config.digestTimeZone);
  /** Pages that list or count everything: they change with any article, and with the day (they link recent digests). */
  const whole = [version, day];
  const fixed = (url: string): StaticUrl => ({ url, inputs: [] });
  const everything = (await store.fromOldest({ kind: "all" }, 0, overview.articles)).articles;
  const urls: StaticUrl[] = [
    ...[
      "/",
      "/topics.json",
      "/providers.json",
      "/feeds.opml",
      "/topics.opml",
      "/providers.opml",
      "/sitemap.xml",
      "/embed/",
    ].map((url) => ({ url, inputs: whole })),
    ...[
      "/robots.txt",
      "/favicon.ico",
      ICON_PATH,
      "/embed.js",
      ...[...Object.values(ASSETS), ...Object.values(EMBED_ASSETS)].map((asset) => asset.path),
    ].map(fixed),
    ...feedUrlsOf({ kind: "all" }, overview.newest, everything, config.defaultLimit),
    ...(await digestUrlsOf(store, config, { kind: "all" }, config.siteTitle, day)),
  ];
  for (const kind of ["topic", "provider"] as GroupKind[]) {
    const groups = await store.groups(kind);
    urls.push({ url: `/${SEGMENT[kind]}/`, inputs: whole });
    for (let page = 2; page <= pagesOf(groups.length, GROUPS_PER_PAGE); page++)
      urls.push({ url: `/${SEGMENT[kind]}/page/${page}/`, inputs: whole });
    for (const group of groups) urls.push(...(await groupUrls(store, config, group, day)));
  }
  return urls;
}

/** A topic's or provider's page, OPML, embed page and feeds, its page's archives, and a topic's digests. */
async function groupUrls(
  store: ContentStore,
  config: Config,
  group: GroupInfo,
  day: string,
): Promise<StaticUrl[]> {
  const scope: StoreScope = { kind: group.kind, key: group.key };
  const articles = (await store.fromOldest(scope, 0, group.count)).articles;
  const page = pagePath(scope);
  const archives = completeArchives(group.count, ARTICLES_PER_PAGE);
  const urls: StaticUrl[] = [
    // A topic's page links its recent digest days, which change with the day.
    { url: page, inputs: [group, articles, group.kind === "topic" ? day : ""] },
    { url: `${page}feeds.opml`, inputs: [group] },
    { url: `/embed${page}`, inputs: [group, articles] },
  ];
  // An archive page's name and links: the newest leads back to the group's page, the others to the next archive.
  for (let number = 1; number <= archives; number++)
    urls.push({
      url: archivePagePath(page, number),
      inputs: [group.name, number === archives, archiveOf(articles, number, ARTICLES_PER_PAGE)],
    });
  urls.push(...feedUrlsOf(scope, group, articles, config.defaultLimit));
  if (group.kind === "topic")
    urls.push(...(await digestUrlsOf(store, config, scope, group.name, day)));
  return urls;
}
