/**
 * The one interface every route reads content through. Its queries are async
 * so that a database fits behind it: the in-memory index (Node, and the
 * Worker's bundle) below, and Cloudflare D1 (sources/d1-store.ts).
 */
import type { Article, ImageRef } from "../content/article.js";
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
  /** Keys close to an unknown one, for 404 messages. */
  closestKeys(kind: GroupKind, wanted: string): Promise<string[]>;
}

/** Sorts like the index: JavaScript string order (UTF-16 code units), which a database's collation may not follow. */
export function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The in-memory index as a store; `version` names its content (the bundle's hash, or any constant for a process). */
export function createMemoryStore(index: ContentIndex, version: string): ContentStore {
  const maps = { topic: index.topics, provider: index.providers };
  const infos = new WeakMap<Group, GroupInfo>();
  const infoOf = (kind: GroupKind, group: Group): GroupInfo => {
    let info = infos.get(group);
    if (!info) {
      const logo = kind === "provider" ? group.articles.find((article) => article.provider.logo)?.provider.logo : undefined;
      info = { kind, key: group.key, name: group.name, count: group.articles.length, newest: group.articles[0].published, ...(logo ? { logo } : {}) };
      infos.set(group, info);
    }
    return info;
  };
  const articlesOf = (scope: StoreScope): readonly Article[] => (scope.kind === "all" ? index.articles : (maps[scope.kind].get(scope.key)?.articles ?? []));
  return {
    version: async () => version,
    overview: async () => ({ articles: index.articles.length, newest: index.articles[0]?.published }),
    groups: async (kind) => [...maps[kind].values()].map((group) => infoOf(kind, group)),
    group: async (kind, key) => {
      const group = maps[kind].get(key);
      return group && infoOf(kind, group);
    },
    slice: async (scope, query) => {
      const articles = articlesOf(scope);
      const selected = selectArticles(articles, query);
      const start = (query.page - 1) * query.limit;
      return { articles: selected.slice(start, start + query.limit), total: selected.length, newest: articles[0]?.published };
    },
    closestKeys: async (kind, wanted) => closestKeys(wanted, maps[kind].keys()),
  };
}

/** Filters by `q` and `since`; the scope's articles are already newest first. */
function selectArticles(articles: readonly Article[], query: Pick<FeedQuery, "q" | "since">): readonly Article[] {
  const { q, since } = query;
  const recent = since === undefined ? articles : articles.slice(0, countPublishedSince(articles, since));
  return q === undefined ? recent : recent.filter((article) => searchTextOf(article).includes(q));
}

/** How many articles of a newest-first list are published at or after `since`: a binary search, not a scan. */
function countPublishedSince(articles: readonly Article[], since: string): number {
  let low = 0;
  let high = articles.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (articles[middle].published >= since) low = middle + 1;
    else high = middle;
  }
  return low;
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
