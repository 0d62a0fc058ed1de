/**
 * The domain feed model: what every format says, decided once. Renderers
 * only translate it to their syntax; nothing here reads a clock.
 */
import type { Article, ImageRef } from "../content/article.js";
import type { Config } from "../config.js";
import { topicKey, urlUrn, urnInNamespace } from "../content/keys.js";
import { mostUsedSpelling } from "../index/index.js";
import type { FeedQuery, Slice } from "../index/store.js";
import { completeArchives, pageCount } from "../scheme/paging.js";
import {
  type FeedFormat,
  FORMATS,
  FORMAT_NAMES,
  archiveLocator,
  feedPath,
  pagePath,
} from "../scheme/paths.js";
import { htmlEscape } from "./xml.js";
import pkg from "../../package.json" with { type: "json" };

export const GENERATOR = { name: "feedloom", version: pkg.version };

export type FeedScope =
  | { kind: "all" }
  | { kind: "topic"; key: string; name: string }
  | { kind: "provider"; key: string; name: string; logo?: ImageRef };

interface FeedImage extends ImageRef {
  /** Media type guessed from the file extension, when it tells. */
  type?: string;
}

export interface FeedItem {
  /** The article's id; a feed writes entryId(feed, item). */
  id: string;
  title: string;
  url: string;
  published: string;
  /** `published` plus a sub-second fraction from the id (see entryUpdated). */
  updated: string;
  summary: string;
  /** Summary and related articles as escaped HTML. */
  contentHtml: string;
  categories: string[];
  image?: FeedImage;
  author: { name: string; url: string };
  /** Path (no extension) of the provider's own feed, for RSS `<source>`; none for a digest's items. */
  providerFeedPath?: string;
}

/**
 * Locators of the RFC 5005 links (see pageLocator): "" for the subscription
 * document, "/page/N" for a later page of the plain feed, "/archive/N" for an
 * archive, else a query string "?…".
 */
export interface FeedLinks {
  self: string;
  /** Archives: the subscription document (RFC 5005 §4). */
  current?: string;
  first?: string;
  last?: string;
  next?: string;
  prev?: string;
  /** The newest archive older than this document. */
  prevArchive?: string;
  /** Archives: the next newer one. */
  nextArchive?: string;
}

/**
 * RFC 5005's markers: `complete` when this one document holds every article of
 * the feed (readers may drop entries that left it), `archive` for an archive
 * document, whose set of entries does not change.
 */
export type FeedHistory = "complete" | "archive";

export interface FeedDocument {
  id: string;
  title: string;
  description: string;
  homeUrl: string;
  /** Origin of this service, for self and paging links. */
  origin: string;
  /** Path of the feed without extension, e.g. `/topics/ai/feed`. */
  path: string;
  links: FeedLinks;
  /** How many pages the selection fills at this limit (at least 1). */
  pages: number;
  history?: FeedHistory;
  language: string;
  /** Newest item's date, else the scope's newest, else the epoch: never the clock. */
  updated: string;
  /** Provider logo, else SITE_ICON, else the service's own /icon.png. */
  icon?: string;
  /** WebSub hubs that readers may subscribe through. */
  hubs: readonly string[];
  ttlMinutes: number;
  items: FeedItem[];
  /** Whose item ids these are (see entryId): "" for the feed of everything, else the feed's path. */
  idScope: string;
}

export const EPOCH = "1970-01-01T00:00:00Z";

/** The URL of a feed page: `/feed.rss`, `/feed/page/2.rss`, `/feed/archive/3.rss`, or `/feed.rss?limit=10&page=2`. */
export function feedUrl(
  document: Pick<FeedDocument, "origin" | "path">,
  format: FeedFormat,
  locator = "",
): string {
  const extension = FORMATS[format].extension;
  return locator.startsWith("/")
    ? `${document.origin}${document.path}${locator}.${extension}`
    : `${document.origin}${document.path}.${extension}${locator}`;
}

/** A feed's URL in every format: `{ rss, atom, json }`, as the JSON directories list them. */
export function feedUrls(origin: string, path: string): Record<FeedFormat, string> {
  return Object.fromEntries(
    FORMAT_NAMES.map((format) => [format, feedUrl({ origin, path }, format)]),
  ) as Record<FeedFormat, string>;
}

/**
 * Where a page of a feed lives. A later page of the plain feed (default limit,
 * no filter) has a path of its own, `/page/N`, so that paging works from a
 * static export too; any other selection is a query string (see queryString).
 */
export function pageLocator(query: Partial<FeedQuery>, defaultLimit: number): string {
  const plain =
    query.q === undefined &&
    query.since === undefined &&
    (query.limit === undefined || query.limit === defaultLimit);
  if (plain && query.page !== undefined && query.page > 1) return `/page/${query.page}`;
  return queryString(query, defaultLimit);
}

/** The plain feed's first page: the document readers subscribe to. */
function isSubscription(query: FeedQuery, defaultLimit: number): boolean {
  return query.page === 1 && pageLocator(query, defaultLimit) === "";
}

interface FeedContext {
  config: Config;
  origin: string;
  defaultIcon?: string;
}

/** The feed of one page of a scope: `slice` is what the store gave for `query`. */
export function buildFeed(
  scope: FeedScope,
  slice: Slice,
  query: FeedQuery,
  context: FeedContext,
): FeedDocument {
  const pages = pageCount(slice.total, query.limit);
  if (!isSubscription(query, context.config.defaultLimit))
    return documentOf(scope, slice, context, {
      links: pagingLinks(query, pages, context.config.defaultLimit),
      pages,
    });
  // The subscription document: every article when they fit, else a link to the archives, which paging clients follow as `next` too.
  if (slice.total <= query.limit)
    return documentOf(scope, slice, context, { links: { self: "" }, pages, history: "complete" });
  const newestArchive = archiveLocator(completeArchives(slice.total, query.limit));
  return documentOf(scope, slice, context, {
    links: { self: "", next: newestArchive, prevArchive: newestArchive },
    pages,
  });
}

/**
 * Archive `number` of a scope (complete: the caller checked), from `slice`,
 * what the store gave for its positions. Its bytes depend on its own articles
 * only: it links the next newer archive before that one exists, and it is
 * titled with its own articles' spelling of the scope, and a provider's logo
 * from its own articles, since a newer article may change the group's.
 */
export function buildArchive(
  scope: FeedScope,
  slice: Slice,
  number: number,
  context: FeedContext,
): FeedDocument {
  const older = number > 1 ? archiveLocator(number - 1) : undefined;
  const links: FeedLinks = {
    self: archiveLocator(number),
    current: "",
    nextArchive: archiveLocator(number + 1),
    ...(older ? { prevArchive: older, next: older } : {}),
  };
  return documentOf(asSpelledIn(scope, slice.articles), slice, context, {
    links,
    pages: 1,
    history: "archive",
  });
}

/** The scope named as these articles spell it most (ties: first in code-point order, as the index names groups). */
function asSpelledIn(scope: FeedScope, articles: readonly Article[]): FeedScope {
  if (scope.kind === "all") return scope;
  const spellings = new Map<string, number>();
  for (const article of articles) {
    const names =
      scope.kind === "topic"
        ? article.topics.filter((name) => topicKey(name) === scope.key)
        : [article.provider.name];
    for (const name of names) spellings.set(name, (spellings.get(name) ?? 0) + 1);
  }
  const name = mostUsedSpelling(spellings) ?? scope.name;
  if (scope.kind === "topic") return { ...scope, name };
  const logo = articles.find((article) => article.provider.logo)?.provider.logo;
  return { kind: "provider", key: scope.key, name, ...(logo ? { logo } : {}) };
}

function documentOf(
  scope: FeedScope,
  slice: Slice,
  context: FeedContext,
  shape: Pick<FeedDocument, "links" | "pages" | "history">,
): FeedDocument {
  const { config, origin } = context;
  const items = slice.articles.map(toItem);
  const path = feedPath(scope);
  const site = config.siteUrl ?? origin;
  const logo =
    scope.kind === "provider" && scope.logo ? logoUrl(scope.logo.url, config) : undefined;
  return {
    id: feedId(site, path),
    title: scope.kind === "all" ? config.siteTitle : `${config.siteTitle}: ${scope.name}`,
    description: describe(scope, config),
    // The site the articles belong to for everything; this service's page of the topic or provider otherwise.
    homeUrl: scope.kind === "all" ? `${site}/` : `${origin}${pagePath(scope)}`,
    origin,
    path,
    ...shape,
    language: config.language,
    updated:
      items.reduce((newest, item) => (item.updated > newest ? item.updated : newest), "") ||
      slice.newest ||
      EPOCH,
    icon: logo ?? config.siteIcon ?? context.defaultIcon,
    ttlMinutes: Math.max(1, Math.round(config.cacheMaxAge / 60)),
    hubs: config.websubHubs,
    items,
    idScope: scope.kind === "all" ? "" : path,
  };
}

const scopedIds = new WeakMap<FeedItem, Map<string, string>>();

/**
 * An item's id in a feed. The feed of everything writes the article's own id;
 * a topic's or provider's feed writes the article's id qualified by the feed
 * (a v5 UUID named by the feed's path in the article's UUID), so no two feeds
 * share an id. Readers that keep one copy of an item per id across all their
 * feeds (newsboat: "any given item only belongs to one feed") otherwise show
 * each article in one feed only, and every other feed empty. The feed of
 * everything, the one most readers hold, keeps the ids it always had.
 */
export function entryId(feed: Pick<FeedDocument, "idScope">, item: FeedItem): string {
  if (feed.idScope === "") return item.id;
  let ids = scopedIds.get(item);
  if (ids === undefined) scopedIds.set(item, (ids = new Map()));
  let id = ids.get(feed.idScope);
  if (id === undefined) ids.set(feed.idScope, (id = urnInNamespace(feed.idScope, item.id)));
  return id;
}

function describe(scope: FeedScope, config: Config): string {
  if (scope.kind === "all") return config.siteDescription;
  if (scope.kind === "topic")
    return `The latest articles about ${scope.name} on ${config.siteTitle}.`;
  return `The latest articles from ${scope.name} (${scope.key}) on ${config.siteTitle}.`;
}

/**
 * Canonical query string: only values that differ from the defaults, always in
 * the same order, `since` as a plain date when it is midnight. A request
 * spelled otherwise is redirected here (http/params.ts), so that a feed's self
 * link is always the URL it was fetched from.
 */
export function queryString(query: Partial<FeedQuery>, defaultLimit: number): string {
  const pairs: string[] = [];
  if (query.limit !== undefined && query.limit !== defaultLimit) pairs.push(`limit=${query.limit}`);
  if (query.q !== undefined) pairs.push(`q=${queryValue(query.q)}`);
  if (query.since !== undefined)
    pairs.push(`since=${queryValue(query.since.replace(/T00:00:00Z$/, ""))}`);
  if (query.page !== undefined && query.page > 1) pairs.push(`page=${query.page}`);
  return pairs.length > 0 ? `?${pairs.join("&")}` : "";
}

/** Percent-encoded, but `:` kept as RFC 3986 allows in a query, so times read as times. */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/g, ":");
}

/** The links every XML format writes, in order, with the relation names RFC 5005 gives them. */
export function linkRelations(links: FeedLinks): [rel: string, query: string][] {
  const named: [string, string | undefined][] = [
    ["self", links.self],
    ["current", links.current],
    ["first", links.first],
    ["previous", links.prev],
    ["next", links.next],
    ["last", links.last],
    ["prev-archive", links.prevArchive],
    ["next-archive", links.nextArchive],
  ];
  return named.filter((entry): entry is [string, string] => entry[1] !== undefined);
}

function pagingLinks(query: FeedQuery, pages: number, defaultLimit: number): FeedLinks {
  const at = (page: number) => pageLocator({ ...query, page }, defaultLimit);
  const links: FeedLinks = { self: at(query.page) };
  if (pages > 1) {
    links.first = at(1);
    links.last = at(pages);
  }
  if (query.page < pages) links.next = at(query.page + 1);
  if (query.page > 1) links.prev = at(Math.min(query.page - 1, pages));
  return links;
}

/** RFC 5005's namespace, declared on the root of the documents that use it. */
export const historyNamespace = (feed: Pick<FeedDocument, "history">): string =>
  feed.history ? ' xmlns:fh="http://purl.org/syndication/history/1.0"' : "";

/** `<fh:complete/>` or `<fh:archive/>`, the same in RSS and Atom. */
export const historyElement = (feed: Pick<FeedDocument, "history">): string =>
  feed.history ? `<fh:${feed.history}/>\n` : "";

/** A stable feed id that does not depend on the host serving the feeds: the v5 UUID of site URL + feed path. */
export function feedId(siteUrl: string, path: string): string {
  return urlUrn(`${siteUrl}${path}`);
}

/** Items depend only on their article, so each is built once and reused by every feed and page. */
const itemCache = new WeakMap<Article, FeedItem>();

function toItem(article: Article): FeedItem {
  let item = itemCache.get(article);
  if (item === undefined) itemCache.set(article, (item = itemOf(article)));
  return item;
}

function itemOf(article: Article): FeedItem {
  return {
    id: article.id,
    title: article.title,
    url: article.url,
    published: article.published,
    updated: entryUpdated(article),
    summary: article.summary,
    contentHtml: contentHtml(article),
    categories: article.topics,
    image: article.image && feedImage(article.image),
    author: { name: article.provider.name, url: `https://${article.provider.domain}/` },
    providerFeedPath: feedPath({ kind: "provider", key: article.provider.domain }),
  };
}

/**
 * Many articles share a timestamp (date-only sources are all T00:00:00Z), and
 * Atom validators warn on entries with equal atom:updated. A fraction of a
 * second taken from the article's own id keeps the value within its true
 * second, identical in every feed, and distinct between articles.
 */
function entryUpdated(article: Article): string {
  const micros = String(parseInt(article.id.slice(9, 17), 16) % 1_000_000).padStart(6, "0");
  return article.published.replace(/Z$/, `.${micros}Z`);
}

function contentHtml(article: Article): string {
  let html = article.summary ? `<p>${htmlEscape(article.summary)}</p>` : "";
  if (article.related.length > 0) {
    html += "<p>Related:</p><ul>";
    for (const related of article.related) {
      const source = related.providerName ? ` (${htmlEscape(related.providerName)})` : "";
      html += `<li><a href="${htmlEscape(related.url)}">${htmlEscape(related.title)}</a>${source}</li>`;
    }
    html += "</ul>";
  }
  return html;
}

const IMAGE_TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  svg: "image/svg+xml",
};

/** An image as feeds carry it: with its media type, when its URL tells it. */
export function feedImage(image: ImageRef): FeedImage {
  return { ...image, ...imageType(image.url) };
}

/** The media type named by the URL's file extension (or a `format=` query value), when it names one. */
function imageType(url: string): { type?: string } {
  // String matching, not new URL(): this runs for every item of every render.
  const [, pathname = "", search = ""] =
    /^[^?#]*?\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/.exec(url) ?? [];
  const extension =
    /\.([a-z0-9]+)$/i.exec(pathname)?.[1] ??
    /(?:^|&)format=([a-z0-9]+)(?:&|$)/i.exec(search)?.[1] ??
    "";
  const type = IMAGE_TYPES[extension.toLowerCase()];
  return type ? { type } : {};
}

/** A logo path such as `/assets/x.jpg` lives under SITE_URL (Jekyll's baseurl convention); without it, nowhere. */
function logoUrl(url: string, config: Config): string | undefined {
  if (!url.startsWith("/")) return url;
  return config.siteUrl === undefined ? undefined : `${config.siteUrl}${url}`;
}
