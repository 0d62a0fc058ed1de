/**
 * The one interface every route reads content through. Its queries are async
 * so that a database fits behind it: the in-memory index (Node, and the
 * Worker's bundle) below, and Cloudflare D1 (sources/d1-store.ts).
 */
import type { Article, ImageRef } from "../content/article.js";
import { providerKey, topicKey } from "../content/keys.js";
import { closestKeys } from "./query.js";
import type { ContentIndex, Group } from "./index.js";

export type GroupKind = "topic" | "provider";

/** Which articles a feed is of. */
export type StoreScope = { kind: "all" } | { kind: GroupKind; key: string };

/** Which slice of a scope's articles a request asks for. Values are already validated. */
export interface FeedQuery {
  limit: number;
  page: number;
  /** Lowercased text to find in title or summary. */
  q?: string;
  /** UTC `YYYY-MM-DDTHH:MM:SSZ`: only articles published at or after it. */
  since?: string;
}

export interface GroupInfo {
  kind: GroupKind;
  key: string;
  /** The spelling used most. */
  name: string;
  count: number;
  /** Newest article's date. */
  newest: string;
  /** Providers: the logo of their newest article that has one. */
  logo?: ImageRef;
}

export interface Slice {
  /** The requested page, newest first. */
  articles: Article[];
  /** Articles of the scope that match `q` and `since`: what the page count is computed from. */
  total: number;
  /** The scope's newest date, whatever the filters; undefined for an empty scope. */
  newest?: string;
}

export interface ContentStore {
  /** Changes whenever the content does: part of every cache key, so no stale response is ever matched. */
  version(): Promise<string>;
  /** How many articles are published, and the newest date. */
  overview(): Promise<{ articles: number; newest?: string }>;
  /** Every group of a kind, ordered by key. */
  groups(kind: GroupKind): Promise<GroupInfo[]>;
  group(kind: GroupKind, key: string): Promise<GroupInfo | undefined>;
  slice(scope: StoreScope, query: FeedQuery): Promise<Slice>;
  /**
   * The scope's published articles at positions `offset` to `offset + limit - 1` counted from the oldest (0),
   * newest first: an archive, whose articles stay put when newer ones arrive. `total` is the scope's count.
   */
  fromOldest(scope: StoreScope, offset: number, limit: number): Promise<Slice>;
  /** Keys close to an unknown one, for 404 messages. */
  closestKeys(kind: GroupKind, wanted: string): Promise<string[]>;
  /**
   * The scope's articles dated after `from` and up to `to` (instants in ms, to the second), newest first:
   * what went out between two instants (for WebSub), or what a digest's period holds.
   */
  publishedBetween(scope: StoreScope, from: number, to: number): Promise<Article[]>;
  /** The instant the store publishes at (ms): what a digest counts its closed periods from. */
  instant(): number;
  /** One published article by its id (`urn:uuid:…`); scheduled ones are not out yet. */
  article(id: string): Promise<Article | undefined>;
}

/** Adds the feeds an article of this provider and these topics is in: everything, its provider, each topic (each once). */
export function addScopes(
  scopes: Map<string, StoreScope>,
  provider: string,
  topicKeys: Iterable<string>,
): void {
  scopes.set("all", { kind: "all" });
  scopes.set(`provider ${provider}`, { kind: "provider", key: provider });
  for (const key of topicKeys) scopes.set(`topic ${key}`, { kind: "topic", key });
}

/** `all`, `topic ai`, `provider forbes.com`: a scope as one string, as addScopes keys them. */
export const scopeKey = (scope: StoreScope): string =>
  scope.kind === "all" ? "all" : `${scope.kind} ${scope.key}`;

/** The feeds these articles are in. */
export function scopesOf(articles: Iterable<Article>): StoreScope[] {
  const scopes = new Map<string, StoreScope>();
  for (const article of articles)
    addScopes(scopes, providerKey(article.provider.domain), article.topics.map(topicKey));
  return [...scopes.values()];
}

/**
 * The store could not answer (a database error or timeout, after a retry):
 * the service answers 503 with Retry-After, or its last good response.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}

/** Sorts like the index: JavaScript string order (UTF-16 code units), which a database's collation may not follow. */
export function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export interface MemoryStoreOptions {
  /**
   * The instant the store publishes at, in milliseconds since the epoch, asked
   * on every call: an article dated after it is scheduled, and left out of
   * everything until then; digests count their closed periods from it. The
   * store asks; rendering never reads a clock.
   */
  now: () => number;
  /** Show scheduled articles at once (the preview switch). */
  showScheduled?: boolean;
}

/** A store in memory knows its version at once: the Node server's fast path asks it on every request. */
export interface MemoryStore extends ContentStore {
  versionNow(): string;
}

/**
 * The in-memory index as a store; `version` names its content (the bundle's
 * hash, or a hash of the data folder). While articles are scheduled, the
 * version also says how many, so it changes, and every cache key with it, the
 * moment one goes out.
 */
export function createMemoryStore(
  index: ContentIndex,
  version: string,
  options: MemoryStoreOptions,
): MemoryStore {
  const maps = { topic: index.topics, provider: index.providers };
  /** Per group, its info for each number of its newest articles still scheduled (usually only 0). */
  const infos = new WeakMap<Group, Map<number, GroupInfo>>();
  const infoOf = (kind: GroupKind, group: Group, scheduled: number): GroupInfo | undefined => {
    if (scheduled === group.articles.length) return undefined; // nothing of it is out yet
    let byScheduled = infos.get(group);
    if (!byScheduled) infos.set(group, (byScheduled = new Map()));
    let info = byScheduled.get(scheduled);
    if (!info) {
      const published = group.articles.slice(scheduled);
      const logo =
        kind === "provider"
          ? published.find((article) => article.provider.logo)?.provider.logo
          : undefined;
      info = {
        kind,
        key: group.key,
        name: group.name,
        count: published.length,
        newest: published[0].published,
        ...(logo ? { logo } : {}),
      };
      byScheduled.set(scheduled, info);
    }
    return info;
  };
  const cutoff = () => (options.showScheduled ? AFTER_EVERY_DATE : publishedCutoff(options.now()));
  const articlesOf = (scope: StoreScope): readonly Article[] =>
    scope.kind === "all" ? index.articles : (maps[scope.kind].get(scope.key)?.articles ?? []);
  /** The scope's articles that are out at `at`: the newest-first list less its scheduled head. */
  const publishedOf = (articles: readonly Article[], at: string): readonly Article[] => {
    const scheduled = countPublishedAfter(articles, at);
    return scheduled === 0 ? articles : articles.slice(scheduled);
  };
  let byId: Map<string, Article> | undefined;
  const groupsOf = (kind: GroupKind, at: string): GroupInfo[] =>
    [...maps[kind].values()].flatMap(
      (group) => infoOf(kind, group, countPublishedAfter(group.articles, at)) ?? [],
    );
  const versionNow = () => {
    const scheduled = countPublishedAfter(index.articles, cutoff());
    return scheduled === 0 ? version : `${version}~${scheduled}`;
  };
  return {
    versionNow,
    version: async () => versionNow(),
    overview: async () => {
      const published = publishedOf(index.articles, cutoff());
      return { articles: published.length, newest: published[0]?.published };
    },
    groups: async (kind) => groupsOf(kind, cutoff()),
    group: async (kind, key) => {
      const group = maps[kind].get(key);
      return group && infoOf(kind, group, countPublishedAfter(group.articles, cutoff()));
    },
    slice: async (scope, query) => {
      const articles = publishedOf(articlesOf(scope), cutoff());
      const selected = selectArticles(articles, query);
      const start = (query.page - 1) * query.limit;
      return {
        articles: selected.slice(start, start + query.limit),
        total: selected.length,
        newest: articles[0]?.published,
      };
    },
    fromOldest: async (scope, offset, limit) => {
      const articles = publishedOf(articlesOf(scope), cutoff());
      const end = Math.max(0, articles.length - offset);
      return {
        articles: articles.slice(Math.max(0, end - limit), end),
        total: articles.length,
        newest: articles[0]?.published,
      };
    },
    // Only groups that are out: a hint must not name a topic that only scheduled articles have.
    closestKeys: async (kind, wanted) =>
      closestKeys(
        wanted,
        groupsOf(kind, cutoff()).map((group) => group.key),
      ),
    publishedBetween: async (scope, from, to) => {
      const articles = articlesOf(scope);
      return articles.slice(
        countPublishedAfter(articles, publishedCutoff(to)),
        countPublishedAfter(articles, publishedCutoff(from)),
      );
    },
    instant: options.now,
    article: async (id) => {
      byId ??= new Map(index.articles.map((article) => [article.id, article]));
      const article = byId.get(id);
      return article && article.published <= cutoff() ? article : undefined;
    },
  };
}

/** An instant as articles' dates are written (`YYYY-MM-DDTHH:MM:SSZ`), so that string order is time order. */
export function publishedCutoff(now: number): string {
  return Number.isFinite(now) ? `${new Date(now).toISOString().slice(0, 19)}Z` : AFTER_EVERY_DATE;
}

/** Sorts after every date: the cutoff that shows scheduled articles too. */
export const AFTER_EVERY_DATE = "\uffff";

/** How many articles of a newest-first list are dated after `at` (scheduled). */
export function countPublishedAfter(articles: readonly Article[], at: string): number {
  return countNewestWhile(articles, (published) => published > at);
}

/** How many of a newest-first list's head have a date that passes `newEnough` (true, then false, down the list): a binary search, not a scan. */
function countNewestWhile(
  articles: readonly Article[],
  newEnough: (published: string) => boolean,
): number {
  let low = 0;
  let high = articles.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (newEnough(articles[middle].published)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Filters by `q` and `since`; the scope's articles are already newest first. */
function selectArticles(
  articles: readonly Article[],
  query: Pick<FeedQuery, "q" | "since">,
): readonly Article[] {
  const { q, since } = query;
  const recent =
    since === undefined
      ? articles
      : articles.slice(
          0,
          countNewestWhile(articles, (published) => published >= since),
        );
  return q === undefined ? recent : recent.filter((article) => searchTextOf(article).includes(q));
}

/** Title and summary, lowercased, as `q` searches them (the D1 store keeps the same text in a column). */
export function searchText(article: Pick<Article, "title" | "summary">): string {
  return `${article.title}\n${article.summary}`.toLowerCase();
}

/** Built once per article rather than once per article per search. */
const searchTexts = new WeakMap<Article, string>();
function searchTextOf(article: Article): string {
  let text = searchTexts.get(article);
  if (text === undefined) searchTexts.set(article, (text = searchText(article)));
  return text;
}
