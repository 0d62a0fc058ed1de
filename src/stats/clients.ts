/**
 * Who asked for a feed, from the User-Agent alone: an aggregator that says how
 * many of its users follow the feed, an individual reader, a browser or a
 * crawler. Only the services below are believed, each by the exact form of its
 * User-Agent; a count in any other User-Agent is no count (docs/statistics.md).
 */
import { patternMatcher, patternsWhere } from "../scheme/routes.js";

export type Client =
  | { kind: "aggregator"; service: string; subscribers: number; feedId: string }
  | { kind: "reader" }
  | { kind: "browser" }
  | { kind: "crawler" };

/** Subscriber counts above this are not numbers a service sends: nine digits at most. */
const COUNT = "(?<subscribers>\\d{1,9}) subscribers?";

const SERVICES: { service: string; pattern: RegExp }[] = [
  {
    service: "Feedly",
    pattern: new RegExp(
      `^Feedly/[\\d.]+ \\(\\+https?://(?:www\\.)?feedly\\.com/[\\w./-]*; ${COUNT};`,
    ),
  },
  { service: "Inoreader", pattern: new RegExp(`\\(compatible; inoreader\\.com; ${COUNT}\\)`) },
  { service: "Feedbin", pattern: new RegExp(`^Feedbin feed-id:(?<feedId>\\d{1,12}) - ${COUNT}`) },
  {
    service: "NewsBlur",
    pattern: new RegExp(
      `^NewsBlur Feed Fetcher - ${COUNT}(?: - https?://(?:www\\.)?newsblur\\.com/site/(?<feedId>\\d{1,12}))?`,
    ),
  },
  {
    service: "The Old Reader",
    pattern: new RegExp(
      `\\(compatible; theoldreader\\.com; ${COUNT}; feed-id=(?<feedId>[\\w-]{1,40})\\)`,
    ),
  },
  {
    service: "BazQux",
    pattern: new RegExp(
      `\\(compatible; BazQux/[\\d.]+; \\+https://bazqux\\.com/fetcher; ${COUNT}\\)`,
    ),
  },
];

/** Robots, link previews, monitors and bare HTTP libraries: they fetch, nobody reads. */
const CRAWLER =
  /bot\b|bot[/;]|crawl|spider|slurp|facebookexternalhit|embedly|headless|lighthouse|^curl\/|^wget\/|python-requests|python-urllib|aiohttp|go-http-client|^java\/|okhttp|scrapy|libwww|httpclient|node-fetch|undici|axios|postman|monitor|uptime|pingdom/i;
/** Web browsers name their engine's product; feed readers built on one name themselves (NetNewsWire, Thunderbird). */
const BROWSER = /\b(?:Chrome|Chromium|CriOS|Firefox|FxiOS|Safari|Edg|OPR|SamsungBrowser)\//;

/** Longer User-Agents are not read past this: the patterns above never need more. */
const MAX_USER_AGENT = 512;

export function classifyClient(userAgent: string | undefined): Client {
  const agent = (userAgent ?? "").slice(0, MAX_USER_AGENT);
  if (agent.trim() === "") return { kind: "crawler" };
  for (const { service, pattern } of SERVICES) {
    const match = pattern.exec(agent);
    if (match?.groups)
      return {
        kind: "aggregator",
        service,
        subscribers: Number(match.groups.subscribers),
        feedId: match.groups.feedId ?? "",
      };
  }
  if (CRAWLER.test(agent)) return { kind: "crawler" };
  if (BROWSER.test(agent)) return { kind: "browser" };
  return { kind: "reader" };
}

/** The feeds readers subscribe to, as the URL scheme marks them: everything, a topic's, a provider's, a digest; not archives or pages. */
const isCountedFeed = patternMatcher(patternsWhere("counted"));

/** The feed a request path (under the base path, no query) counts for, or undefined. */
export function countedFeedPath(path: string, basePath: string): string | undefined {
  if (!path.startsWith(basePath)) return undefined;
  const feed = path.slice(basePath.length);
  return isCountedFeed(feed) ? feed : undefined;
}

/** A UTC day, `YYYY-MM-DD`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The day `offset` days from `day` (negative: before). */
export function addDays(day: string, offset: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + offset * 86_400_000);
}
