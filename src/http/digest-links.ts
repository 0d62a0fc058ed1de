/**
 * What pages and directories say about a scope's digests: their feeds (for
 * the subscribe box, rel=alternate links and the JSON directories) and the
 * pages of recent days. Apart from digests.tsx, which imports the pages, so
 * that the pages can import this.
 */
import { type DigestKind, DIGEST_KINDS, closedPeriods, withArticles } from "../index/digest.js";
import { periodLabel } from "../feeds/digest.js";
import { digestPagePath, digestPath, type FeedFormat, opmlPath } from "../scheme/paths.js";
import { feedUrls } from "../feeds/model.js";
import type { StoreScope } from "../index/store.js";
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
    opml: `${opmlPath(scope)}?digest=${kind}`,
  }));
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
