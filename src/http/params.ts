/**
 * Query parameters of the feed routes, validated before anything renders.
 * Unknown parameters are ignored (readers add cache busters); a bad value of
 * a known one is a 400 that names it and the accepted range.
 */
import type { Config } from "../config.js";
import { normaliseDateTime } from "../content/dates.js";
import { pageLocator } from "../feeds/model.js";
import type { FeedQuery } from "../index/store.js";
import { HttpError } from "./errors.js";

const Q_MAX = 200;

export function parseFeedQuery(params: URLSearchParams, config: Config): FeedQuery {
  const single = (name: string): string | undefined => {
    const values = params.getAll(name);
    if (values.length > 1)
      throw new HttpError(400, `${name}: given ${values.length} times; give it once`);
    return values[0];
  };
  const query: FeedQuery = {
    limit: wholeNumber("limit", single("limit"), 1, config.maxLimit) ?? config.defaultLimit,
    page: wholeNumber("page", single("page"), 1, Number.MAX_SAFE_INTEGER) ?? 1,
  };
  const q = single("q");
  if (q !== undefined) {
    const trimmed = q.trim();
    if (trimmed === "" || trimmed.length > Q_MAX)
      throw new HttpError(400, `q: must be 1 to ${Q_MAX} characters of text to search for`);
    query.q = trimmed.toLowerCase();
  }
  const since = single("since");
  if (since !== undefined) {
    const iso = /^\d{4}-\d\d-\d\d(?:T[\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$/i.test(since.trim())
      ? normaliseDateTime(since)
      : undefined;
    if (iso === undefined)
      throw new HttpError(
        400,
        "since: must be an ISO 8601 date such as 2022-06-30 or 2022-06-30T23:48:00Z",
      );
    query.since = iso;
  }
  return query;
}

function wholeNumber(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min && number <= max)) {
    const range =
      max === Number.MAX_SAFE_INTEGER
        ? `a whole number from ${min}`
        : `a whole number from ${min} to ${max}`;
    throw new HttpError(
      400,
      `${name}: must be ${range}, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return number;
}

const FEED_PARAMETERS = new Set(["limit", "page", "q", "since"]);

/**
 * The canonical URL (path and query) of a feed page: where its self link
 * points (`/feed/page/2.rss`, or `/feed.rss?limit=10&page=2`), then any other
 * parameters (cache busters) as they came. Equal to the request's own path and
 * query when it needs no redirect.
 */
export function canonicalFeedLocation(
  feedPathValue: string,
  extension: string,
  search: string,
  query: FeedQuery,
  defaultLimit: number,
): string {
  const others = search
    .slice(1)
    .split("&")
    .filter((pair) => pair !== "" && !FEED_PARAMETERS.has(decodeName(pair.split("=", 1)[0])));
  const locator = pageLocator(query, defaultLimit);
  const path = locator.startsWith("/")
    ? `${feedPathValue}${locator}.${extension}`
    : `${feedPathValue}.${extension}`;
  const pairs = [...(locator.startsWith("?") ? [locator.slice(1)] : []), ...others];
  return pairs.length > 0 ? `${path}?${pairs.join("&")}` : path;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, " "));
  } catch {
    return name;
  }
}
