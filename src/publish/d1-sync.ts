/**
 * What `npm run publish:d1` writes to D1: the index built from data/ against the
 * rows D1 holds, as SQL statements that change only what changed. One new
 * article is its own row, its topic links, the few groups it touches and
 * three meta rows, however large the database (D1 bills rows written).
 */
import { createHash } from "node:crypto";
import { providerKey, topicKey } from "../content/keys.js";
import type { Article } from "../content/article.js";
import type { ContentIndex, Group } from "../index/index.js";
import { type StoreScope, addScopes, searchText } from "../index/store.js";

/** An article row as publish compares it. */
export interface ArticleState {
  id: string;
  hash: string;
  provider_key: string;
  /** Position among all articles, 1 = the oldest. */
  rank: number;
  /** Position among its provider's articles. */
  provider_rank: number;
  /** JSON {topic key: position in the topic}. */
  topic_ranks: string;
}

export interface GroupState {
  kind: "topic" | "provider";
  key: string;
  name: string;
  count: number;
  newest: string;
  logo: string | null;
}

export interface D1State {
  articles: ArticleState[];
  groups: GroupState[];
  meta: Record<string, string>;
}

export interface SyncPlan {
  statements: string[];
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Unchanged articles rewritten only because their position moved (an older article was added or removed). */
  moved: number;
  /** Rows the statements write (the figure D1 bills, before index entries). */
  rowsWritten: number;
  /** Feeds whose items changed: for WebSub. */
  changedScopes: StoreScope[];
  version: string;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("base64url");

/** D1 refuses statements over 100 KB; rows are grouped into statements below this. */
const STATEMENT_BYTES = 90_000;

/**
 * Statements grouped by kind, so that rows become multi-row INSERTs and
 * deletes become IN lists: far fewer statements for a first sync of 100,000
 * articles, the same rows written. Every delete runs before every insert: a
 * changed article's old topic links go before its new ones are written.
 */
class StatementBuilder {
  private readonly deletes: string[] = [];
  private readonly inserts: string[] = [];
  rowsWritten = 0;
  private readonly pending = new Map<string, { rows: string[]; bytes: number; close: string }>();

  /** `INSERT OR REPLACE INTO table (columns) VALUES (…), (…);` */
  insert(table: string, columns: string, values: (string | number | null)[]): void {
    this.add(
      `INSERT OR REPLACE INTO ${table} (${columns}) VALUES `,
      `(${values.map(literal).join(", ")})`,
      ";",
      1,
    );
  }

  /** `DELETE FROM table WHERE column IN (…);`, counting `rows` rows written for each value. */
  delete(table: string, column: string, value: string, rows = 1): void {
    this.add(`DELETE FROM ${table} WHERE ${column} IN (`, literal(value), ");", rows);
  }

  /** A delete of its own. */
  deleteWhere(sql: string, rows: number): void {
    this.deletes.push(sql);
    this.rowsWritten += rows;
  }

  /** Every statement: the deletes, then the inserts. */
  finish(): string[] {
    for (const head of [...this.pending.keys()]) this.flush(head);
    return [...this.deletes, ...this.inserts];
  }

  private add(head: string, row: string, close: string, rows: number): void {
    let group = this.pending.get(head);
    if (group && group.bytes + row.length + 2 > STATEMENT_BYTES) {
      this.flush(head);
      group = undefined;
    }
    if (!group)
      this.pending.set(head, (group = { rows: [], bytes: head.length + close.length, close }));
    group.rows.push(row);
    group.bytes += row.length + 2;
    this.rowsWritten += rows;
  }

  private flush(head: string): void {
    const group = this.pending.get(head);
    if (!group || group.rows.length === 0) return;
    (head.startsWith("DELETE") ? this.deletes : this.inserts).push(
      `${head}${group.rows.join(", ")}${group.close}`,
    );
    this.pending.delete(head);
  }
}

/** SQL text literal: quotes doubled. Text here never holds NUL (content/text.ts removes it). */
export function literal(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

interface DesiredArticle {
  article: Article;
  state: ArticleState;
  data: string;
}

/** Each article's rank in every scope it is in: counted from the oldest, so a new newest article moves no other. */
function ranksOf(index: ContentIndex) {
  const rank = new Map<Article, number>();
  const providerRank = new Map<Article, number>();
  const topicRanks = new Map<Article, Record<string, number>>();
  index.articles.forEach((article, i) => rank.set(article, index.articles.length - i));
  for (const group of index.providers.values())
    group.articles.forEach((article, i) => providerRank.set(article, group.articles.length - i));
  for (const group of index.topics.values()) {
    group.articles.forEach((article, i) => {
      let ranks = topicRanks.get(article);
      if (!ranks) topicRanks.set(article, (ranks = {}));
      ranks[group.key] = group.articles.length - i;
    });
  }
  return (article: Article) => {
    const topics = topicRanks.get(article) ?? {};
    // In the article's own topic order, so that equal ranks always give equal JSON.
    const ordered = Object.fromEntries(
      article.topics.map(topicKey).map((key) => [key, topics[key]]),
    );
    return {
      rank: rank.get(article)!,
      provider_rank: providerRank.get(article)!,
      topic_ranks: JSON.stringify(ordered),
    };
  };
}

/** What an article's row holds besides its ranks: the same for publish and for the API on D1. */
export interface ArticleRow {
  data: string;
  hash: string;
  providerKey: string;
  /** Its topics' keys, each once, in the article's order (the order of `topic_ranks`). */
  topicKeys: string[];
}

/** Its provider's key and its topics' keys, each once, in the article's order. */
export function articleKeys(
  article: Pick<Article, "provider" | "topics">,
): Pick<ArticleRow, "providerKey" | "topicKeys"> {
  return {
    providerKey: providerKey(article.provider.domain),
    topicKeys: [...new Set(article.topics.map(topicKey))],
  };
}

export function articleRow(article: Article): ArticleRow {
  const { file: _file, ...stored } = article;
  const data = JSON.stringify(stored);
  const keys = articleKeys(article);
  const hash = sha1(
    `${data}\n${keys.providerKey}\n${JSON.stringify(article.topics.map(topicKey))}`,
  );
  return { data, hash, ...keys };
}

function desiredArticles(index: ContentIndex): DesiredArticle[] {
  const rankOf = ranksOf(index);
  return index.articles.map((article) => {
    const { data, hash, providerKey: provider } = articleRow(article);
    return {
      article,
      data,
      state: { id: article.id, hash, provider_key: provider, ...rankOf(article) },
    };
  });
}

const topicKeysOf = (state: Pick<ArticleState, "topic_ranks">) =>
  Object.keys(JSON.parse(state.topic_ranks) as Record<string, number>);

function groupStates(kind: "topic" | "provider", groups: Map<string, Group>): GroupState[] {
  return [...groups.values()].map((group) => {
    const logo =
      kind === "provider"
        ? group.articles.find((article) => article.provider.logo)?.provider.logo
        : undefined;
    return {
      kind,
      key: group.key,
      name: group.name,
      count: group.articles.length,
      newest: group.articles[0].published,
      logo: logo ? JSON.stringify(logo) : null,
    };
  });
}

/**
 * The folder is what publish makes D1 hold: an article the API wrote (migrations/0003_api.sql)
 * that the folder changes or lacks loses its API file with its row, so that a GET never answers
 * a text the feeds no longer show. Rows written: none where the API never wrote the article.
 */
function dropApiSource(sql: StatementBuilder, id: string): void {
  sql.delete("article_sources", "article_id", id, 0);
}

export function planSync(index: ContentIndex, current: D1State): SyncPlan {
  const sql = new StatementBuilder();
  const scopes = new Map<string, StoreScope>();
  const touch = (provider: string, topicKeys: string[]) => addScopes(scopes, provider, topicKeys);

  const existing = new Map(current.articles.map((row) => [row.id, row]));
  const desired = desiredArticles(index);
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  let moved = 0;
  for (const { article, state, data } of desired) {
    const before = existing.get(state.id);
    existing.delete(state.id);
    const sameContent = before?.hash === state.hash;
    const samePlace =
      before &&
      Number(before.rank) === state.rank &&
      Number(before.provider_rank) === state.provider_rank &&
      before.topic_ranks === state.topic_ranks;
    if (sameContent && samePlace) {
      unchanged++;
      continue;
    }
    if (sameContent) {
      unchanged++;
      moved++;
    } else if (before) {
      changed++;
      touch(before.provider_key, topicKeysOf(before));
      dropApiSource(sql, state.id);
    } else {
      added++;
    }
    if (before) sql.delete("article_topics", "article_id", state.id, topicKeysOf(before).length);
    if (!sameContent) touch(state.provider_key, topicKeysOf(state));
    sql.insert(
      "articles",
      "id, published, provider_key, rank, provider_rank, topic_ranks, search, data, hash",
      [
        state.id,
        article.published,
        state.provider_key,
        state.rank,
        state.provider_rank,
        state.topic_ranks,
        searchText(article),
        data,
        state.hash,
      ],
    );
    for (const [key, rank] of Object.entries(
      JSON.parse(state.topic_ranks) as Record<string, number>,
    )) {
      sql.insert("article_topics", "topic_key, published, article_id, rank", [
        key,
        article.published,
        state.id,
        rank,
      ]);
    }
  }
  const removed = existing.size;
  for (const row of existing.values()) {
    const topicKeys = topicKeysOf(row);
    touch(row.provider_key, topicKeys);
    sql.delete("article_topics", "article_id", row.id, topicKeys.length);
    sql.delete("articles", "id", row.id);
    dropApiSource(sql, row.id);
  }

  const groupKey = (group: Pick<GroupState, "kind" | "key">) => `${group.kind} ${group.key}`;
  const currentGroups = new Map(current.groups.map((group) => [groupKey(group), group]));
  const desiredGroups = [
    ...groupStates("topic", index.topics),
    ...groupStates("provider", index.providers),
  ];
  for (const group of desiredGroups) {
    const before = currentGroups.get(groupKey(group));
    currentGroups.delete(groupKey(group));
    if (
      before &&
      before.name === group.name &&
      Number(before.count) === group.count &&
      before.newest === group.newest &&
      before.logo === group.logo
    )
      continue;
    sql.insert("groups", "kind, key, name, count, newest, logo", [
      group.kind,
      group.key,
      group.name,
      group.count,
      group.newest,
      group.logo,
    ]);
  }
  for (const group of currentGroups.values())
    sql.deleteWhere(
      `DELETE FROM groups WHERE kind = ${literal(group.kind)} AND key = ${literal(group.key)};`,
      1,
    );

  // The version names the content: the same data always gives the same version.
  const version = sha1(
    [
      ...desired.map((item) => item.state.hash),
      ...desiredGroups.map((group) => JSON.stringify(group)),
    ].join("\n"),
  ).slice(0, 16);
  const meta: Record<string, string> = {
    version,
    articles: String(index.articles.length),
    newest: index.articles[0]?.published ?? "",
  };
  for (const [key, value] of Object.entries(meta)) {
    if (current.meta[key] === value) continue;
    sql.insert("meta", "key, value", [key, value]);
  }
  const statements = sql.finish();
  return {
    statements,
    added,
    changed,
    removed,
    unchanged,
    moved,
    rowsWritten: sql.rowsWritten,
    changedScopes: [...scopes.values()],
    version,
  };
}

/** An index as the rows D1 would hold for it: to compare two indexes (e.g. two deployed bundles) the way publish does. */
export function stateOf(index: ContentIndex): D1State {
  return {
    articles: desiredArticles(index).map((item) => item.state),
    groups: [...groupStates("topic", index.topics), ...groupStates("provider", index.providers)],
    meta: {},
  };
}

/** The queries that read what planSync compares against. */
export const STATE_QUERIES = {
  articles: "SELECT id, hash, provider_key, rank, provider_rank, topic_ranks FROM articles",
  groups: "SELECT kind, key, name, count, newest, logo FROM groups",
  meta: "SELECT key, value FROM meta",
} as const;
