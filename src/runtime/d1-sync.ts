/**
 * What `npm run publish` writes to D1: the index built from data/ against the
 * rows D1 holds, as SQL statements that change only what changed. One new
 * article is its own row, its topic links, the few groups it touches and
 * three meta rows, however large the database (D1 bills rows written).
 */
import { createHash } from "node:crypto";
import { providerKey, topicKey } from "../content/keys.js";
import type { Article } from "../content/article.js";
import type { ContentIndex, Group } from "../index/index.js";
import { type StoreScope, searchText } from "../index/store.js";

/** An article row as publish compares it. */
export interface ArticleState {
  id: string;
  hash: string;
  provider_key: string;
  /** JSON array of topic keys. */
  topic_keys: string;
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
  /** Rows the statements write (the figure D1 bills, before index entries). */
  rowsWritten: number;
  /** Feeds whose items changed: for WebSub. */
  changedScopes: StoreScope[];
  version: string;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("base64url");

/** SQL text literal: quotes doubled. Text here never holds NUL (content/text.ts removes it). */
function literal(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

interface DesiredArticle {
  article: Article;
  state: ArticleState;
  data: string;
}

function desiredArticle(article: Article): DesiredArticle {
  const { file: _file, ...stored } = article;
  const data = JSON.stringify(stored);
  const topicKeys = JSON.stringify(article.topics.map(topicKey));
  const provider = providerKey(article.provider.domain);
  return { article, data, state: { id: article.id, hash: sha1(`${data}\n${provider}\n${topicKeys}`), provider_key: provider, topic_keys: topicKeys } };
}

function groupStates(kind: "topic" | "provider", groups: Map<string, Group>): GroupState[] {
  return [...groups.values()].map((group) => {
    const logo = kind === "provider" ? group.articles.find((article) => article.provider.logo)?.provider.logo : undefined;
    return { kind, key: group.key, name: group.name, count: group.articles.length, newest: group.articles[0].published, logo: logo ? JSON.stringify(logo) : null };
  });
}

export function planSync(index: ContentIndex, current: D1State): SyncPlan {
  const statements: string[] = [];
  let rowsWritten = 0;
  const write = (sql: string, rows: number) => {
    statements.push(sql);
    rowsWritten += rows;
  };
  const scopes = new Map<string, StoreScope>();
  const touch = (providerKeyValue: string, topicKeys: string[]) => {
    scopes.set("all", { kind: "all" });
    scopes.set(`provider ${providerKeyValue}`, { kind: "provider", key: providerKeyValue });
    for (const key of topicKeys) scopes.set(`topic ${key}`, { kind: "topic", key });
  };

  const existing = new Map(current.articles.map((row) => [row.id, row]));
  const desired = index.articles.map(desiredArticle);
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for (const { article, state, data } of desired) {
    const before = existing.get(state.id);
    existing.delete(state.id);
    if (before?.hash === state.hash) {
      unchanged++;
      continue;
    }
    if (before) {
      changed++;
      touch(before.provider_key, JSON.parse(before.topic_keys) as string[]);
      write(`DELETE FROM article_topics WHERE article_id = ${literal(state.id)};`, (JSON.parse(before.topic_keys) as string[]).length);
    } else {
      added++;
    }
    const topicKeys = JSON.parse(state.topic_keys) as string[];
    touch(state.provider_key, topicKeys);
    write(
      `INSERT OR REPLACE INTO articles (id, published, provider_key, topic_keys, search, data, hash) VALUES (${[
        state.id,
        article.published,
        state.provider_key,
        state.topic_keys,
        searchText(article),
        data,
        state.hash,
      ]
        .map(literal)
        .join(", ")});`,
      1,
    );
    for (const key of topicKeys) {
      write(`INSERT OR REPLACE INTO article_topics (topic_key, published, article_id) VALUES (${[key, article.published, state.id].map(literal).join(", ")});`, 1);
    }
  }
  const removed = existing.size;
  for (const row of existing.values()) {
    const topicKeys = JSON.parse(row.topic_keys) as string[];
    touch(row.provider_key, topicKeys);
    write(`DELETE FROM article_topics WHERE article_id = ${literal(row.id)};`, topicKeys.length);
    write(`DELETE FROM articles WHERE id = ${literal(row.id)};`, 1);
  }

  const groupKey = (group: Pick<GroupState, "kind" | "key">) => `${group.kind} ${group.key}`;
  const currentGroups = new Map(current.groups.map((group) => [groupKey(group), group]));
  const desiredGroups = [...groupStates("topic", index.topics), ...groupStates("provider", index.providers)];
  for (const group of desiredGroups) {
    const before = currentGroups.get(groupKey(group));
    currentGroups.delete(groupKey(group));
    if (before && before.name === group.name && Number(before.count) === group.count && before.newest === group.newest && before.logo === group.logo) continue;
    write(
      `INSERT OR REPLACE INTO groups (kind, key, name, count, newest, logo) VALUES (${[group.kind, group.key, group.name, group.count, group.newest, group.logo].map(literal).join(", ")});`,
      1,
    );
  }
  for (const group of currentGroups.values()) write(`DELETE FROM groups WHERE kind = ${literal(group.kind)} AND key = ${literal(group.key)};`, 1);

  // The version names the content: the same data always gives the same version.
  const version = sha1([...desired.map((item) => item.state.hash), ...desiredGroups.map((group) => JSON.stringify(group))].join("\n")).slice(0, 16);
  const meta: Record<string, string> = { version, articles: String(index.articles.length), newest: index.articles[0]?.published ?? "" };
  for (const [key, value] of Object.entries(meta)) {
    if (current.meta[key] === value) continue;
    write(`INSERT OR REPLACE INTO meta (key, value) VALUES (${literal(key)}, ${literal(value)});`, 1);
  }
  return { statements, added, changed, removed, unchanged, rowsWritten, changedScopes: [...scopes.values()], version };
}

/** An index as the rows D1 would hold for it: to compare two indexes (e.g. two deployed bundles) the way publish does. */
export function stateOf(index: ContentIndex): D1State {
  return {
    articles: index.articles.map((article) => desiredArticle(article).state),
    groups: [...groupStates("topic", index.topics), ...groupStates("provider", index.providers)],
    meta: {},
  };
}

/** The queries that read what planSync compares against. */
export const STATE_QUERIES = {
  articles: "SELECT id, hash, provider_key, topic_keys FROM articles",
  groups: "SELECT kind, key, name, count, newest, logo FROM groups",
  meta: "SELECT key, value FROM meta",
} as const;
