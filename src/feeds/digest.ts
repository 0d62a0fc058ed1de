/**
 * Digest feeds: one item per closed period (a day, or an ISO week), listing
 * that period's top stories, ranked. An item never changes once published:
 * its period is closed, its id names the feed and the period, its date is
 * the period's end. Rendered by the same renderers as every feed.
 */
import type { Article } from "../content/article.js";
import type { Config } from "../config.js";
import { urlUrn } from "../content/keys.js";
import { type DigestKind, type Period, isoSecond } from "../index/digest.js";
import { digestPagePath, digestPath } from "../scheme/paths.js";
import {
  type FeedDocument,
  type FeedItem,
  type FeedScope,
  EPOCH,
  feedId,
  feedImage,
} from "./model.js";
import { htmlEscape } from "./xml.js";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/**
 * "Tuesday 17 November 2026", "week of 16 November 2026": English names of
 * our own, not the runtime's locale data, so every host writes the same bytes.
 */
export function periodLabel(period: Period): string {
  const date = `${period.day} ${MONTHS[period.month - 1]} ${period.year}`;
  if (period.kind === "weekly") return `week of ${date}`;
  return `${DAYS[new Date(Date.UTC(period.year, period.month - 1, period.day)).getUTCDay()]} ${date}`;
}

/** The scope's name in titles: the site for everything, else the topic's. */
export function scopeName(scope: FeedScope, config: Config): string {
  return scope.kind === "all" ? config.siteTitle : scope.name;
}

export function buildDigestFeed(
  scope: FeedScope,
  kind: DigestKind,
  periods: readonly { period: Period; ranked: Article[] }[],
  context: { config: Config; origin: string; defaultIcon?: string },
): FeedDocument {
  const { config, origin } = context;
  const path = digestPath(scope, kind);
  const name = scopeName(scope, config);
  // A period with no articles has no item.
  const items = periods
    .filter(({ ranked }) => ranked.length > 0)
    .map(({ period, ranked }) => digestItem(scope, name, period, ranked, context));
  return {
    id: feedId(config.siteUrl ?? origin, path),
    title: `${config.siteTitle}: ${scope.kind === "all" ? "" : `${name}, `}${kind} digest`,
    description: `The top ${config.digestSize} stories ${scope.kind === "all" ? "" : `about ${name} `}each ${kind === "daily" ? "day" : "week"}, ranked by how much they are covered, then by quality.`,
    homeUrl: `${origin}${scope.kind === "all" ? "/" : `/topics/${encodeURIComponent(scope.key)}/`}`,
    origin,
    path,
    links: { self: "" },
    pages: 1,
    language: config.language,
    // Without an item, the end of the latest period it covers: when it last had something to say.
    updated: items[0]?.updated ?? (periods[0] ? isoSecond(periods[0].period.end) : EPOCH),
    icon: config.siteIcon ?? context.defaultIcon,
    ttlMinutes: Math.max(1, Math.round(config.cacheMaxAge / 60)),
    hubs: config.websubHubs,
    items,
    // Each item's id already names its feed (see digestItem).
    idScope: "",
  };
}

function digestItem(
  scope: FeedScope,
  name: string,
  period: Period,
  ranked: Article[],
  context: { config: Config; origin: string },
): FeedItem {
  const { config, origin } = context;
  const top = ranked.slice(0, config.digestSize);
  const label = periodLabel(period);
  const page = `${origin}${digestPagePath(scope, period.kind, period.key)}`;
  const list = top
    .map((article) => {
      const excerpt = article.summary ? `<br>${htmlEscape(article.summary)}` : "";
      return `<li><a href="${htmlEscape(article.url)}">${htmlEscape(article.title)}</a> (${htmlEscape(article.provider.name)})${excerpt}</li>`;
    })
    .join("");
  const end = isoSecond(period.end);
  const image = top.find((article) => article.image)?.image;
  return {
    // Stable across runs, hosts and formats: the digest's path and the period, named as a URL path.
    id: urlUrn(`${digestPath(scope, period.kind)}/${period.key}`),
    title: `${name}, ${label}: top ${top.length} of ${ranked.length}`,
    url: page,
    published: end,
    updated: end,
    summary: `The top ${top.length} of ${ranked.length} ${ranked.length === 1 ? "story" : "stories"}${scope.kind === "all" ? "" : ` about ${name}`}, ${label}, ranked by how much each is covered.`,
    contentHtml: `<ol>${list}</ol><p><a href="${htmlEscape(page)}">All ${ranked.length} stories, ranked</a></p>`,
    categories: scope.kind === "all" ? [] : [name],
    ...(image ? { image: feedImage(image) } : {}),
    author: { name: config.siteTitle, url: `${config.siteUrl ?? origin}/` },
  };
}
