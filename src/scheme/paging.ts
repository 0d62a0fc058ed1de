/**
 * The arithmetic of pages and archives, in one place: how many pages a list
 * has, and which articles each archive holds. Feeds, pages, the export's URL
 * list and `feedloom check` all count with these.
 */
import type { Article } from "../content/article.js";

/** Articles on a page of a topic's or provider's page, and on each of its archive pages. */
export const ARTICLES_PER_PAGE = 20;
/** Rows on a page of the topic or provider directory. */
export const GROUPS_PER_PAGE = 100;

/** Pages of `total` items, `perPage` each: one at least, which may be empty. */
export function pageCount(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(total / perPage));
}

/**
 * Archives hold FEED_LIMIT articles each, counted from the oldest: archive N
 * holds positions (N-1)·limit to N·limit-1, so a newer article moves none of
 * them. Only complete ones exist; the newest articles, fewer than an archive
 * holds, are in the subscription document, which holds FEED_LIMIT.
 */
export function completeArchives(total: number, limit: number): number {
  return Math.floor(total / limit);
}

/** Archive `number` of `size` articles, from a newest-first list: positions (number-1)·size to number·size-1 from the oldest, newest first. */
export function archiveSlice(
  newestFirst: readonly Article[],
  number: number,
  size: number,
): Article[] {
  return newestFirst.slice(
    newestFirst.length - number * size,
    newestFirst.length - (number - 1) * size,
  );
}
