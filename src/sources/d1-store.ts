/**
 * The content store over Cloudflare D1 (schema: migrations/). Each feed page
 * is one round trip. An unfiltered page is a range of ranks (positions kept
 * by `npm run publish:d1`), so page 900 reads `limit` rows as page 1 does; with
 * `since` or `q` the date indexes are walked in feed order (`q`, a substring
 * of any article, reads the whole scope). Counts and newest dates come
 * precomputed from `groups` and `meta`.
 */
import type { Article, ImageRef } from "../content/article.js";
import { closestKeys } from "../index/query.js";
import {
  AFTER_EVERY_DATE,
  type ContentStore,
  type FeedQuery,
  type GroupInfo,
  type GroupKind,
  type MemoryStoreOptions,
  type StoreScope,
  StoreUnavailableError,
  byKey,
  publishedCutoff,
} from "../index/store.js";

/** The parts of the D1 binding this store uses (the Workers runtime provides the binding). */
export interface D1Like {
  prepare(query: string): D1StatementLike;
  batch<T = unknown>(
    statements: D1StatementLike[],
  ): Promise<{ results: T[]; meta?: { rows_read?: number } }[]>;
}
export interface D1StatementLike {
  bind(...values: unknown[]): D1StatementLike;
  all<T = unknown>(): Promise<{ results: T[]; meta?: { rows_read?: number; changes?: number } }>;
  first<T = unknown>(): Promise<T | null>;
}

/** D1 takes 100 bound parameters per query; lists of keys are read in chunks below that. */
const KEYS_PER_QUERY = 90;

export const chunks = <T>(items: readonly T[], size = KEYS_PER_QUERY): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
const placeholders = (count: number) =>
  Array.from({ length: count }, (_, i) => `?${i + 1}`).join(", ");

/** Every row in `select … WHERE column IN (values)`, read in chunks in one batch (one transaction). */
export async function rowsWhereIn<T>(
  db: D1Like,
  select: string,
  values: readonly string[],
): Promise<T[]> {
  if (values.length === 0) return [];
  const results = await db.batch<T>(
    chunks(values).map((chunk) =>
      db.prepare(`${select} IN (${placeholders(chunk.length)})`).bind(...chunk),
    ),
  );
  return results.flatMap((result) => result.results);
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
  return {
    kind: row.kind,
    key: row.key,
    name: row.name,
    count: row.count,
    newest: row.newest,
    ...(row.logo ? { logo: JSON.parse(row.logo) as ImageRef } : {}),
  };
}

const GROUP_COLUMNS = "kind, key, name, count, newest, logo";

/**
 * `now` is the instant the store publishes at, asked on every call (as the
 * memory store's): articles dated after it are scheduled, and left out. They
 * are the newest of every scope, so they hold its top ranks: a scope's
 * published count is its count less its scheduled articles, read through the
 * date indexes (a handful of rows, none when nothing is scheduled).
 */
export function createD1Store(
  binding: D1Like,
  options: MemoryStoreOptions & { timeoutMs?: number },
): ContentStore {
  const db = resilient(binding, options.timeoutMs ?? D1_TIMEOUT_MS);
  const cutoff = () => (options.showScheduled ? AFTER_EVERY_DATE : publishedCutoff(options.now()));
  /** Keys of a kind per content version: a stream of 404s costs no more rows than the first. */
  const keyMemo = new Map<string, Promise<string[]>>();
  /** Groups of a kind, less what is scheduled: counts lowered, newest dates read again, groups with nothing out left out. */
  const publishedGroups = async (kind: GroupKind, key?: string): Promise<GroupInfo[]> => {
    const at = cutoff();
    const [groups, scheduled] = await db.batch<
      GroupRow & { provider_key: string; topic_ranks: string }
    >([
      key === undefined
        ? db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE kind = ?1`).bind(kind)
        : db
            .prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE kind = ?1 AND key = ?2`)
            .bind(kind, key),
      db.prepare("SELECT provider_key, topic_ranks FROM articles WHERE published > ?1").bind(at),
    ]);
    const infos = (groups.results as GroupRow[]).map(groupInfo);
    if (scheduled.results.length === 0) return infos;
    const waiting = new Map<string, number>();
    for (const row of scheduled.results) {
      for (const scopeKey of kind === "provider"
        ? [row.provider_key]
        : Object.keys(JSON.parse(row.topic_ranks) as object))
        waiting.set(scopeKey, (waiting.get(scopeKey) ?? 0) + 1);
    }
    const affected = infos.filter(
      (info) => waiting.has(info.key) && info.count > waiting.get(info.key)!,
    );
    const newest =
      affected.length === 0
        ? []
        : await db.batch<{ newest: string }>(
            affected.map((info) => newestPublished(db, { kind, key: info.key }, at)),
          );
    const newestOf = new Map(
      affected.map((info, i) => [info.key, newest[i].results[0]?.newest ?? info.newest]),
    );
    return infos.flatMap((info) => {
      const count = info.count - (waiting.get(info.key) ?? 0);
      return count > 0 ? [{ ...info, count, newest: newestOf.get(info.key) ?? info.newest }] : [];
    });
  };
  const store: ContentStore = {
    async version() {
      const row = await db
        .prepare(
          "SELECT (SELECT value FROM meta WHERE key = 'version') AS version, (SELECT COUNT(*) FROM articles WHERE published > ?1) AS scheduled",
        )
        .bind(cutoff())
        .first<{ version: string | null; scheduled: number }>();
      const version = row?.version ?? "empty";
      return row && row.scheduled > 0 ? `${version}~${row.scheduled}` : version;
    },
    async overview() {
      const row = await aboutScope(db, { kind: "all" }, cutoff()).first<{
        count: number;
        newest: string | null;
      }>();
      return { articles: Number(row?.count ?? 0), ...(row?.newest ? { newest: row.newest } : {}) };
    },
    groups: async (kind) => (await publishedGroups(kind)).sort(byKey),
    group: async (kind, key) => (await publishedGroups(kind, key))[0],
    async slice(scope, query) {
      const at = cutoff();
      const [about, page] = await db.batch<{
        count?: number;
        newest?: string;
        data?: string;
        total?: number;
      }>([aboutScope(db, scope, at), pageOf(db, scope, query, at)]);
      const scopeRow = about.results[0] as { count: number; newest: string | null } | undefined;
      const newest = scopeRow?.newest ?? undefined;
      const rows = page.results as { data: string; total?: number }[];
      const filtered = query.q !== undefined || query.since !== undefined;
      let total = filtered ? (rows[0]?.total ?? 0) : Number(scopeRow?.count ?? 0);
      // Past the last page a filtered query returns no row to carry its total: count apart, rarely.
      if (filtered && rows.length === 0 && query.page > 1)
        total = (await countOf(db, scope, query, at).first<{ total: number }>())?.total ?? 0;
      return {
        articles: rows.map((row) => JSON.parse(row.data) as Article),
        total,
        ...(newest ? { newest } : {}),
      };
    },
    async fromOldest(scope, offset, limit) {
      const at = cutoff();
      const [about, range] = await db.batch<{ count?: number; newest?: string; data?: string }>([
        aboutScope(db, scope, at),
        rankRange(db, scope, offset, limit, at),
      ]);
      const scopeRow = about.results[0] as { count: number; newest: string | null } | undefined;
      const articles = (range.results as { data: string }[]).map(
        (row) => JSON.parse(row.data) as Article,
      );
      return {
        articles,
        total: Number(scopeRow?.count ?? 0),
        ...(scopeRow?.newest ? { newest: scopeRow.newest } : {}),
      };
    },
    async closestKeys(kind, wanted) {
      const version = await store.version();
      const memoKey = `${version} ${kind}`;
      let keys = keyMemo.get(memoKey);
      if (!keys) {
        keyMemo.clear();
        // Groups that are out only: a hint must not name a topic that only scheduled articles have.
        keys = publishedGroups(kind).then((groups) => groups.map((group) => group.key).sort());
        keyMemo.set(memoKey, keys);
      }
      return closestKeys(wanted, await keys);
    },
    async publishedBetween(scope, from, to) {
      const { results } = await betweenOf(db, scope, from, to).all<{ data: string }>();
      return results.map((row) => JSON.parse(row.data) as Article);
    },
    instant: options.now,
    async article(id) {
      const row = await db
        .prepare("SELECT data FROM articles WHERE id = ?1 AND published <= ?2")
        .bind(id, cutoff())
        .first<{ data: string }>();
      return row ? (JSON.parse(row.data) as Article) : undefined;
    },
  };
  return store;
}

/**
 * A scope's articles dated after `from` and up to `to`, by its date index walked over that range only: a
 * digest's month of a 90,000-article topic reads that month.
 */
function betweenOf(db: D1Like, scope: StoreScope, from: number, to: number): D1StatementLike {
  const { from: tables, where, values, order } = scopeSql(scope, {}, publishedCutoff(to));
  where.push(
    `${scope.kind === "topic" ? "t" : "a"}.published > ?${values.push(publishedCutoff(from))}`,
  );
  return db
    .prepare(`SELECT a.data FROM ${tables} WHERE ${where.join(" AND ")} ORDER BY ${order}`)
    .bind(...values);
}

/** What reading a span costs in D1 (a digest reads its 30 days): rows returned, and rows D1 read. For tests and the bench. */
export async function spanCost(
  db: D1Like,
  scope: StoreScope,
  from: number,
  to: number,
): Promise<{ rows: number; rowsRead: number }> {
  const { results, meta } = await betweenOf(db, scope, from, to).all();
  return { rows: results.length, rowsRead: meta?.rows_read ?? Number.NaN };
}

/** Longer than any healthy D1 read (a few ms at the edge), shorter than a reader's patience. */
const D1_TIMEOUT_MS = 5_000;

/**
 * D1 as the store reads it: each call bounded in time, and retried once (a
 * transient error passes); a second failure is a StoreUnavailableError, which
 * the app answers with 503 and the Worker with its last good response.
 */
function resilient(db: D1Like, timeoutMs: number): D1Like {
  const attempt = async <T>(call: () => Promise<T>): Promise<T> => {
    let failure: unknown;
    for (let tries = 0; tries < 2; tries++) {
      try {
        return await withTimeout(call(), timeoutMs);
      } catch (error) {
        failure = error;
      }
    }
    throw new StoreUnavailableError(
      `D1 failed twice: ${failure instanceof Error ? failure.message : String(failure)}`,
    );
  };
  const inner = new WeakMap<D1StatementLike, D1StatementLike>();
  const wrap = (statement: D1StatementLike): D1StatementLike => {
    const wrapped: D1StatementLike = {
      bind: (...values) => wrap(statement.bind(...values)),
      all: <T>() => attempt(() => statement.all<T>()),
      first: <T>() => attempt(() => statement.first<T>()),
    };
    inner.set(wrapped, statement);
    return wrapped;
  };
  return {
    prepare: (query) => wrap(db.prepare(query)),
    batch: <T>(statements: D1StatementLike[]) =>
      attempt(() => db.batch<T>(statements.map((statement) => inner.get(statement) ?? statement))),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What one feed page costs in D1: the page query a slice runs, run alone, with
 * the rows it returned and the rows D1 read (and bills). For tests and the bench.
 */
export async function pageCost(
  db: D1Like,
  scope: StoreScope,
  query: FeedQuery,
  now = Date.now(),
): Promise<{ rows: number; rowsRead: number }> {
  const { results, meta } = await pageOf(db, scope, query, publishedCutoff(now)).all();
  return { rows: results.length, rowsRead: meta?.rows_read ?? Number.NaN };
}

/** Where a scope's articles are, by date: the table and the condition that names the scope by the parameter `key` (default `?1`). */
function datedRows(scope: StoreScope, key = "?1"): { table: string; where: string } {
  if (scope.kind === "all") return { table: "articles", where: "1" };
  if (scope.kind === "provider") return { table: "articles", where: `provider_key = ${key}` };
  return { table: "article_topics", where: `topic_key = ${key}` };
}

/** How many of the scope's articles are dated after `?2` (`?1` its key): one index seek, a row per scheduled article. */
function scheduledIn(scope: StoreScope): string {
  const { table, where } = datedRows(scope);
  return `(SELECT COUNT(*) FROM ${table} WHERE ${where} AND published > ?2)`;
}

/** The scope's newest date at `at`: one row read from a date index. */
function newestPublished(db: D1Like, scope: StoreScope, at: string): D1StatementLike {
  const { table, where } = datedRows(scope);
  return db
    .prepare(`SELECT MAX(published) AS newest FROM ${table} WHERE ${where} AND published <= ?2`)
    .bind(scope.kind === "all" ? null : scope.key, at);
}

/** The scope's count of published articles and newest date at `at`: publish's counts, less what is scheduled. */
function aboutScope(db: D1Like, scope: StoreScope, at: string): D1StatementLike {
  const { table, where } = datedRows(scope);
  const newest = `(SELECT MAX(published) FROM ${table} WHERE ${where} AND published <= ?2)`;
  if (scope.kind === "all") {
    return db
      .prepare(
        `SELECT CAST((SELECT value FROM meta WHERE key = 'articles') AS INTEGER) - ${scheduledIn(scope)} AS count, ${newest} AS newest`,
      )
      .bind(null, at);
  }
  return db
    .prepare(
      `SELECT count - ${scheduledIn(scope)} AS count, ${newest} AS newest FROM groups WHERE kind = '${scope.kind}' AND key = ?1`,
    )
    .bind(scope.key, at);
}

/**
 * FROM and WHERE of a scope with its filters, and the values to bind. Each
 * form is served by one index in feed order (see migrations/).
 */
function scopeSql(
  scope: StoreScope,
  query: Pick<FeedQuery, "q" | "since">,
  at: string,
): { from: string; where: string[]; values: unknown[]; order: string } {
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
  const dated = scope.kind === "topic" ? "t" : "a";
  where.push(`${dated}.published <= ?${values.push(at)}`);
  if (query.since !== undefined) where.push(`${dated}.published >= ?${values.push(query.since)}`);
  if (query.q !== undefined) where.push(`instr(a.search, ?${values.push(query.q)}) > 0`);
  return { from, where, values, order };
}

/**
 * The scope's count of published articles (publish's count, one row read,
 * less its scheduled articles, which hold its top ranks), and where its ranks live.
 */
function rankSql(
  scope: StoreScope,
  at: string,
  values: unknown[],
): { from: string; where: string[]; count: string; rank: string } {
  if (scope.kind === "all") {
    const cutoffAt = values.push(at);
    return {
      from: "articles a",
      where: [],
      count: `((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'articles') - (SELECT COUNT(*) FROM articles WHERE published > ?${cutoffAt}))`,
      rank: "a.rank",
    };
  }
  const key = values.push(scope.key);
  const cutoffAt = values.push(at);
  const { table, where } = datedRows(scope, `?${key}`);
  const scheduled = `(SELECT COUNT(*) FROM ${table} WHERE ${where} AND published > ?${cutoffAt})`;
  const count = `((SELECT count FROM groups WHERE kind = '${scope.kind}' AND key = ?${key}) - ${scheduled})`;
  if (scope.kind === "provider")
    return {
      from: "articles a",
      where: [`a.provider_key = ?${key}`],
      count,
      rank: "a.provider_rank",
    };
  return {
    from: "article_topics t JOIN articles a ON a.id = t.article_id",
    where: [`t.topic_key = ?${key}`],
    count,
    rank: "t.rank",
  };
}

function pageOf(db: D1Like, scope: StoreScope, query: FeedQuery, at: string): D1StatementLike {
  const filtered = query.q !== undefined || query.since !== undefined;
  if (!filtered) {
    // Newest-first positions (page-1)·limit+1 … page·limit are ranks count-offset-limit+1 … count-offset.
    const values: unknown[] = [];
    const { from, where, count, rank } = rankSql(scope, at, values);
    const offset = values.push((query.page - 1) * query.limit);
    const limit = values.push(query.limit);
    where.push(`${rank} BETWEEN ${count} - ?${offset} - ?${limit} + 1 AND ${count} - ?${offset}`);
    return db
      .prepare(`SELECT a.data FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${rank} DESC`)
      .bind(...values);
  }
  const { from, where, values, order } = scopeSql(scope, query, at);
  // The total comes with the page: a window over the matching rows.
  const columns = "a.data, COUNT(*) OVER () AS total";
  const limit = values.push(query.limit);
  const offset = values.push((query.page - 1) * query.limit);
  const sql = `SELECT ${columns} FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ?${limit} OFFSET ?${offset}`;
  return db.prepare(sql).bind(...values);
}

/** What reading an archive costs in D1: rows returned, and rows D1 read. For tests and the bench. */
export async function archiveCost(
  db: D1Like,
  scope: StoreScope,
  offset: number,
  limit: number,
  now = Date.now(),
): Promise<{ rows: number; rowsRead: number }> {
  const { results, meta } = await rankRange(db, scope, offset, limit, publishedCutoff(now)).all();
  return { rows: results.length, rowsRead: meta?.rows_read ?? Number.NaN };
}

/** Positions `offset` … `offset + limit - 1` from the oldest are ranks `offset + 1` … `offset + limit`, and none past the published count. */
function rankRange(
  db: D1Like,
  scope: StoreScope,
  offset: number,
  limit: number,
  at: string,
): D1StatementLike {
  const values: unknown[] = [];
  const { from, where, count, rank } = rankSql(scope, at, values);
  const first = values.push(offset + 1);
  const last = values.push(offset + limit);
  where.push(`${rank} BETWEEN ?${first} AND MIN(?${last}, ${count})`);
  return db
    .prepare(`SELECT a.data FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${rank} DESC`)
    .bind(...values);
}

function countOf(db: D1Like, scope: StoreScope, query: FeedQuery, at: string): D1StatementLike {
  const { from, where, values } = scopeSql(scope, query, at);
  return db
    .prepare(
      `SELECT COUNT(*) AS total FROM ${from}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`,
    )
    .bind(...values);
}
