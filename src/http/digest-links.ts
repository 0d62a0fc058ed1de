/**
 * What pages and directories say about a scope's digests: their feeds (for
 * the subscribe box, rel=alternate links and the JSON directories) and the
 * pages of recent days. Apart from digests.tsx, which imports the pages, so
 * that the pages can import this.
 */
import type { Article } from "../content/article.js";
import { type DigestKind, DIGEST_KINDS, type Period, closedPeriods } from "../index/digest.js";
import { digestPagePath, digestPath, periodLabel, splitIntoPeriods } from "../feeds/digest.js";
import { type FeedFormat, feedUrls, pagePath } from "../feeds/model.js";
import type { ContentStore, StoreScope } from "../index/store.js";
import type { FeedSet } from "./pages/view.js";
import type { Site } from "./site.js";

/** The digests of a scope, as pages offer them: a feed set each, with titles that tell them apart. */
export function digestFeedSets(
  origin: string,
  scope: StoreScope,
  title: string,
): (FeedSet & { kind: DigestKind })[] {
  return DIGEST_KINDS.map((kind) => ({
    kind,
    title: `${title}, ${kind} digest`,
    base: `${origin}${digestPath(scope, kind)}`,
    opml: `${digestOpmlPath(scope)}?digest=${kind}`,
  }));
}

/** Every article of the periods' span in one read of the store, split and ranked per period (newest period first). */
export async function withArticles(
  store: ContentStore,
  scope: StoreScope,
  periods: readonly Period[],
): Promise<{ period: Period; ranked: Article[] }[]> {
  // Periods are [start, end); the store counts (from, to], to the second.
  const articles = await store.publishedBetween(
    scope,
    periods.at(-1)!.start - 1000,
    periods[0].end - 1000,
  );
  return splitIntoPeriods(periods, articles);
}

/** The pages of the last week's closed days that have articles, newest first: what home and topic pages link. */
export async function recentDigestDays(
  site: Site,
  scope: StoreScope,
): Promise<{ label: string; path: string; count: number }[]> {
  const periods = closedPeriods("daily", site.store.instant(), site.config.digestTimeZone, 7);
  return (await withArticles(site.store, scope, periods))
    .filter(({ ranked }) => ranked.length > 0)
    .map(({ period, ranked }) => ({
      label: periodLabel(period),
      path: digestPagePath(scope, "daily", period.key),
      count: ranked.length,
    }));
}

/** The scope's OPML: `/feeds.opml` for everything (whose page is `/`), `/topics/{key}/feeds.opml`. */
const digestOpmlPath = (scope: StoreScope) => `${pagePath(scope)}feeds.opml`;

/** The digest feed URLs of a scope, as the JSON directories list them: `{ daily: { rss, atom, json }, weekly: … }`. */
export function digestUrls(
  origin: string,
  scope: StoreScope,
): Record<DigestKind, Record<FeedFormat, string>> {
  return {
    daily: feedUrls(origin, digestPath(scope, "daily")),
    weekly: feedUrls(origin, digestPath(scope, "weekly")),
  };
}
