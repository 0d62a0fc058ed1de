/**
 * The compact content bundle the Worker imports. The build step (Node)
 * parses, validates, filters, deduplicates, sorts and groups; the bundle
 * carries the finished index, groups as positions in the sorted list, so
 * that Worker start-up only JSON.parses and wires arrays together (no
 * sorting, keying or grouping in the global scope, which must stay fast).
 */
import type { Article } from "../content/article.js";
import type { ContentIndex, Group } from "../index/index.js";

/** [key, name, positions of its articles in `articles`, newest first] */
type BundledGroup = [string, string, number[]];

export interface ContentBundle {
  /** Hash of the content: part of every edge-cache key, so new data never meets old cached responses. */
  version: string;
  /** Newest first; file names are left out (the Worker never reports on files). */
  articles: Article[];
  topics: BundledGroup[];
  providers: BundledGroup[];
}

export function toBundle(index: ContentIndex, version: string): ContentBundle {
  const position = new Map(index.articles.map((article, i) => [article, i]));
  const groups = (map: Map<string, Group>): BundledGroup[] =>
    [...map.values()].map((group) => [group.key, group.name, group.articles.map((article) => position.get(article)!)]);
  return {
    version,
    articles: index.articles.map((article) => ({ ...article, file: "" })),
    topics: groups(index.topics),
    providers: groups(index.providers),
  };
}

export function indexFromBundle(bundle: ContentBundle): ContentIndex {
  const groups = (list: BundledGroup[]) =>
    new Map(list.map(([key, name, positions]): [string, Group] => [key, { key, name, articles: positions.map((i) => bundle.articles[i]) }]));
  return { articles: bundle.articles, topics: groups(bundle.topics), providers: groups(bundle.providers), issues: [] };
}
