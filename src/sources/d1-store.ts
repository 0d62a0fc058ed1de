/**
 * The content store over Cloudflare D1 (schema: migrations/). Each feed page
 * is one round trip. An unfiltered page is a range of ranks (positions kept
 * by `npm run publish`), so page 900 reads `limit` rows as page 1 does; with
 * `since` or `q` the date indexes are walked in feed order (`q`, a substring
 * of any article, reads the whole scope). Counts and newest dates come
 * precomputed from `groups` and `meta`.
 */
import type { Article, ImageRef } from "../content/article.js";
import { closestKeys } from "../index/query.js";
import { type ContentStore, type FeedQuery, type GroupInfo, type GroupKind, type StoreScope, byKey } from "../index/store.js";

/** The parts of the D1 binding this store uses (the Workers runtime provides the binding). */
export interface D1Like {
  prepare(query: string): D1StatementLike;
  batch<T = unknown>(statements: D1StatementLike[]): Promise<{ results: T[]; meta?: { rows_read?: number } }[]>;
}
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all<T = unknown>(): Promise<{ results: T[]; meta?: { rows_read?: number } }>;
  first<T = unknown>(): Promise<T | null>;
}

interface GroupRow {
  kind: GroupKind;
  key: string;
  name: string;
  count: number;
  newest: string;
  logo: string | null;
}

function groupInfo(row: GroupRow): GroupInfo {
  return { kind: row.kind, key: row.key, name: row.name, count: row.count, newest: row.newest, ...(row.logo ? { logo: JSON.parse(row.logo) as ImageRef } : {}) };
}

const GROUP_COLUMNS = "kind, key, name, count, newest, logo";

export function createD1Store(db: D1Like): ContentStore {
  const meta = async (): Promise<Record<string, string>> => {
    const { results } = await db.prepare("SELECT key, value FROM meta").all<{ key: string; value: string }>();
    return Object.fromEntries(results.map((row) => [row.key, row.value]));
  };
  /** Keys of a kind per content version: a stream of 404s costs no more rows than the first. */
  const keyMemo = new Map<string, Promise<string[]>>();
  const store: ContentStore = {
    async version() {
      const row = await db.prepare("SELECT value FROM meta WHERE key = 'version'").first<{ value: string }>();
      return row?.value ?? "empty";
    },
    async overview() {
      const values = await meta();
      return { articles: Number(values.articles ?? 0), ...(values.newest ? { newest: values.newest } : {}) };
    },
    async groups(kind) {
      const { results } = await db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE kind = ?1`).bind(kind).all<GroupRow>();
      return results.map(groupInfo).sort(byKey);
    },
    async group(kind, key) {
      const row = await db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE kind = ?1 AND key = ?2`).bind(kind, key).first<GroupRow>();
      return row ? groupInfo(row) : undefined;
    },
    async slice(scope, query) {
      const [about, page] = await db.batch<{ count?: number; newest?: string; data?: string; total?: number }>([aboutScope(db, scope), pageOf(db, scope, query)]);
      const scopeRow = about.results[0] as { count: number; newest: string | null } | undefined;
      const newest = scopeRow?.newest ?? undefined;
      const rows = page.results as { data: string; total?: number }[];
      const filtered = query.q !== undefined || query.since !== undefined;
      let total = filtered ? (rows[0]?.total ?? 0) : Number(scopeRow?.count ?? 0);
      // Past the last page a filtered query returns no row to carry its total: count apart, rarely.
      if (filtered && rows.length === 0 && query.page > 1) total = (await countOf(db, scope, query).first<{ total: number }>())?.total ?? 0;
      return { articles: rows.map((row) => JSON.parse(row.data) as Article), total, ...(newest ? { newest } : {}) };
    },
    async closestKeys(kind, wanted) {
      const version = await store.version();
      const memoKey = `${version} ${kind}`;
      let keys = keyMemo.get(memoKey);
      if (!keys) {
        keyMemo.clear();
        keys = db
          .prepare("SELECT key FROM groups WHERE kind = ?1")
          .bind(kind)
          .all<{ key: string }>()
          .then(({ results }) => results.map((row) => row.key).sort());
        keyMemo.set(memoKey, keys);
      }
      return closestKeys(wanted, await keys);
    },
  };
  return store;
}

/**
 * What one feed page costs in D1: the page query a slice runs, run alone, with
 * the rows it returned and the rows D1 read (and bills). For tests and the bench.
 */
export async function pageCost(db: D1Like, scope: StoreScope, query: FeedQuery): Promise<{ rows: number; rowsRead: number }> {
  const { results, meta } = await pageOf(db, scope, query).all();
  return { rows: results.length, rowsRead: meta?.rows_read ?? Number.NaN };
}

/** The scope's article count and newest date, precomputed by publish. */
function aboutScope(db: D1Like, scope: StoreScope): D1StatementLike {
  if (scope.kind === "all") {
    return db.prepare("SELECT (SELECT value FROM meta WHERE key = 'articles') AS count, (SELECT value FROM meta WHERE key = 'newest') AS newest");
  }
  return db.prepare("SELECT count, newest FROM groups WHERE kind = ?1 AND key = ?2").bind(scope.kind, scope.key);
}

/**
 * FROM and WHERE of a scope with its filters, and the values to bind. Each
 * form is served by one index in feed order (see migrations/).
 */
function scopeSql(scope: StoreScope, query: Pick<FeedQuery, "q" | "since">): { from: string; where: string[]; values: unknown[]; order: string } {
  const where: string[] = [];
  const values: unknown[] = [];
  let from = "articles a";
  let order = "a.published DESC, a.id";
  if (scope.kind === "provider") {
    where.push(`a.provider_key = ?${values.push(scope.key)}`);
  } else if (scope.kind === "topic") {
    from = "article_topics t JOIN articles a ON a.id = t.article_id";
    where.push(`t.topic_key = ?${values.push(scope.key)}`);
    order = "t.published DESC, t.article_id";
  }
  if (query.since !== undefined) where.push(`${scope.kind === "topic" ? "t" : "a"}.published >= ?${values.push(query.since)}`);
  if (query.q !== undefined) where.push(`instr(a.search, ?${values.push(query.q)}) > 0`);
  return { from, where, values, order };
}

/** The scope's article count, as a scalar subquery (one row read), and where its ranks live. */
function rankSql(scope: StoreScope, values: unknown[]): { from: string; where: string[]; count: string; rank: string } {
  if (scope.kind === "all") return { from: "articles a", where: [], count: "(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'articles')", rank: "a.rank" };
  const key = values.push(scope.key);
  const count = `(SELECT count FROM groups WHERE kind = '${scope.kind}' AND key = ?${key})`;
  if (scope.kind === "provider") return { from: "articles a", where: [`a.provider_key = ?${key}`], count, rank: "a.provider_rank" };
  return { from: "article_topics t JOIN articles a ON a.id = t.article_id", where: [`t.topic_key = ?${key}`], count, rank: "t.rank" };
}

function pageOf(db: D1Like, scope: StoreScope, query: FeedQuery): D1StatementLike {
  const filtered = query.q !== undefined || query.since !== undefined;
  if (!filtered) {
    // Newest-first positions (page-1)·limit+1 … page·limit are ranks count-offset-limit+1 … count-offset.
    const values: unknown[] = [];
    const { from, where, count, rank } = rankSql(scope, values);
    const offset = values.push((query.page - 1) * query.limit);
    const limit = values.push(query.limit);
    where.push(`${rank} BETWEEN ${count} - ?${offset} - ?${limit} + 1 AND ${count} - ?${offset}`);
    return db.prepare(`SELECT a.data FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${rank} DESC`).bind(...values);
  }
  const { from, where, values, order } = scopeSql(scope, query);
  // The total comes with the page: a window over the matching rows.
  const columns = "a.data, COUNT(*) OVER () AS total";
  const limit = values.push(query.limit);
  const offset = values.push((query.page - 1) * query.limit);
  const sql = `SELECT ${columns} FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ?${limit} OFFSET ?${offset}`;
  return db.prepare(sql).bind(...values);
}

function countOf(db: D1Like, scope: StoreScope, query: FeedQuery): D1StatementLike {
  const { from, where, values } = scopeSql(scope, query);
  return db.prepare(`SELECT COUNT(*) AS total FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`).bind(...values);
}
