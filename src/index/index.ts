/**
 * The in-memory index: every publishable article newest first, grouped by
 * topic key and provider key. Built once at start (Node) or at module load
 * (Workers); every query afterwards is a slice of a pre-sorted array.
 */
import type { Article } from "../content/article.js";
import { providerKey, topicFold, topicKey } from "../content/keys.js";
import type { ContentIssue } from "../content/report.js";

export interface Group {
  key: string;
  name: string;
  /** Newest first. */
  articles: Article[];
}

export interface ContentIndex {
  /** Newest first; ties by id, so the order never depends on file order. */
  articles: Article[];
  topics: Map<string, Group>;
  providers: Map<string, Group>;
  /** Duplicate copies that were left out, and topics merged under one key: one warning each. */
  issues: ContentIssue[];
}

export interface IndexOptions {
  /** Preview switch: include articles marked `published: false`. */
  includeUnpublished?: boolean;
}

function newestFirst(a: Article, b: Article): number {
  if (a.published !== b.published) return a.published < b.published ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function buildIndex(input: readonly Article[], options: IndexOptions = {}): ContentIndex {
  const candidates = options.includeUnpublished
    ? [...input]
    : input.filter((article) => article.isPublished);
  const { kept, issues } = dropDuplicates(candidates);
  const articles = kept.sort(newestFirst);
  const topics = groupBy(articles, (article) =>
    article.topics.map((name) => ({ key: topicKey(name), name })),
  );
  return {
    articles,
    topics,
    providers: groupBy(articles, (article) => [
      { key: providerKey(article.provider.domain), name: article.provider.name },
    ]),
    issues: [...issues, ...mergedTopicIssues(topics)],
  };
}

/** One warning for each spelling that shares a key with a different name ("C#" under "c", where "C++" is). */
function mergedTopicIssues(topics: Map<string, Group>): ContentIssue[] {
  const issues: ContentIssue[] = [];
  for (const group of topics.values()) {
    const seen = new Set([topicFold(group.name)]);
    for (const article of [...group.articles].reverse()) {
      for (const name of article.topics) {
        // The group's own spelling folds as it does: most names are that, and folding one is not cheap.
        if (name === group.name || topicKey(name) !== group.key || seen.has(topicFold(name)))
          continue;
        seen.add(topicFold(name));
        issues.push({
          file: article.file,
          field: "topics",
          reason: `${JSON.stringify(name)} has the same key as ${JSON.stringify(group.name)} ("${group.key}"), so both are published as one topic, ${JSON.stringify(group.name)}; rename one (e.g. "C Sharp" for "C#") to keep them apart`,
          severity: "warning",
        });
      }
    }
  }
  return issues;
}

/**
 * The same canonical URL under two dates is one article (the real corpus has
 * such pairs). The first publication is kept, so a re-dated copy never jumps
 * to the top of a feed; the others are reported.
 */
function dropDuplicates(articles: Article[]): { kept: Article[]; issues: ContentIssue[] } {
  const byId = new Map<string, Article>();
  const issues: ContentIssue[] = [];
  const oldestFirst = [...articles].sort((a, b) =>
    a.published < b.published ? -1 : a.published > b.published ? 1 : a.file < b.file ? -1 : 1,
  );
  for (const article of oldestFirst) {
    const first = byId.get(article.id);
    if (first === undefined) {
      byId.set(article.id, article);
      continue;
    }
    issues.push({
      file: article.file,
      field: "webUrl",
      reason: `same article as ${first.file} (${article.url}); published once, from ${first.file}`,
      severity: "warning",
    });
  }
  return { kept: [...byId.values()], issues };
}

/** The spelling used most (ties: first in code-point order), or undefined when there is none. */
export function mostUsedSpelling(spellings: ReadonlyMap<string, number>): string | undefined {
  let best: [string, number] | undefined;
  for (const [name, count] of spellings)
    if (!best || count > best[1] || (count === best[1] && name < best[0])) best = [name, count];
  return best?.[0];
}

/** Groups keep article order; a group's name is its most used spelling (ties: first in code-point order). */
function groupBy(
  articles: Article[],
  keysOf: (article: Article) => { key: string; name: string }[],
): Map<string, Group> {
  const groups = new Map<string, Group & { spellings: Map<string, number> }>();
  for (const article of articles) {
    for (const { key, name } of keysOf(article)) {
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { key, name, articles: [], spellings: new Map() }));
      group.articles.push(article);
      group.spellings.set(name, (group.spellings.get(name) ?? 0) + 1);
    }
  }
  const sorted = [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new Map(
    sorted.map(({ spellings, ...group }) => {
      return [group.key, { ...group, name: mostUsedSpelling(spellings)! }];
    }),
  );
}
