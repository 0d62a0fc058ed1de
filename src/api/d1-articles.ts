/**
 * Where the API's writes land on a Worker with D1: each key's file text in
 * `article_sources`, and the article it became in the rows `publish` writes
 * (migrations/). Those rows are changed in place rather than planned from the
 * whole corpus (which a Worker cannot read per request): a new article is its
 * row, its topic links, its groups and the meta rows, and only the articles
 * newer than it move up a rank, so a pipeline's newest article moves none.
 * A removal is the same in reverse. The ranks, counts, names and logos come
 * out as `publish` computes them from the folder (a test holds them equal).
 *
 * A change set is one D1 batch, which D1 runs as one transaction: all or
 * nothing. Its first statement fails unless the content version is still the
 * one the checks read, so a concurrent write (another request, another
 * isolate, a publish) makes the set read and check again instead of
 * interleaving with it.
 */
import type { Article } from "../content/article.js";
import { mostUsedSpelling } from "../index/index.js";
import { topicKey, urlUrn } from "../content/keys.js";
import { type StoreScope, addScopes, searchText } from "../index/store.js";
import { articleKeys, articleRow } from "../publish/d1-sync.js";
import { type D1Like, rowsWhereIn } from "../sources/d1-store.js";
import { clip } from "../http/errors.js";
import { ApiError } from "./auth.js";
import { parserLoaded, validArticle } from "./document.js";
import {
  type ArticleFiles,
  type Change,
  type ChangeResult,
  type Stored,
  etagOf,
  isEffective,
  resultOf,
} from "./writes.js";

/**
 * Numbers are written into the SQL rather than bound: D1 binds a JavaScript number as a REAL, and
 * a rank of 3.0 would make topic_ranks `{"ai":3.0}`, which publish would take for a changed row.
 */
/** A change set that keeps meeting concurrent writes gives up after this many tries, with a 503. */
const ATTEMPTS = 5;

interface Statement {
  sql: string;
  values: unknown[];
}

/** An article row as a change needs it: where it sorts, and what its groups take from it. */
interface Placed {
  id: string;
  published: string;
  providerKey: string;
  topicKeys: string[];
  providerName: string;
  /** Each topic's spelling in this article, by key. */
  topicNames: Map<string, string>;
  hasLogo: boolean;
}

interface Snapshot {
  version: string | null;
  sources: Map<string, Stored & { articleId: string }>;
  rows: Map<string, Placed>;
  /** Article id -> the key whose source it is. */
  owners: Map<string, string>;
  /** "kind key" -> the group's name now. */
  groupNames: Map<string, string>;
}

export interface D1ArticleFilesOptions {
  /** The instant writes happen at: an article dated after it is scheduled, and no feed changes yet. */
  now: () => number;
}

export function d1ArticleFiles(db: D1Like, { now }: D1ArticleFilesOptions): ArticleFiles {
  return {
    async list() {
      const { results } = await db
        .prepare("SELECT key, etag FROM article_sources ORDER BY key")
        .all<{ key: string; etag: string }>();
      return results;
    },
    async read(key) {
      const row = await db
        .prepare("SELECT text, etag FROM article_sources WHERE key = ?1")
        .bind(key)
        .first<Stored>();
      return row ?? undefined;
    },
    async keyOfUrl(url) {
      const row = await db
        .prepare("SELECT key FROM article_sources WHERE article_id = ?1")
        .bind(urlUrn(url))
        .first<{ key: string }>();
      return row?.key;
    },
    async apply(changes, check, by = "") {
      await parserLoaded();
      const articles = new Map(
        changes.flatMap((change) =>
          change.text === undefined
            ? []
            : [[change.key, validArticle(change.key, change.text).article] as const],
        ),
      );
      for (let attempt = 1; ; attempt++) {
        const snapshot = await readSnapshot(db, changes, articles);
        const stored = changes.map((change) => snapshot.sources.get(change.key));
        changes.forEach((change, index) => check(change, stored[index]));
        const results = changes.map((change, index) => resultOf(change, stored[index]));
        const effective = changes.filter((_, index) => isEffective(results[index]));
        if (effective.length === 0) return results;
        const at = now();
        const plan = await planWrites(db, effective, articles, snapshot, at);
        plan.statements.push(...recordOf(by, at, changes, results));
        try {
          await db.batch(plan.statements.map(({ sql, values }) => db.prepare(sql).bind(...values)));
        } catch (error) {
          if (!isStale(error)) throw error;
          if (attempt < ATTEMPTS) continue;
          throw new ApiError(
            503,
            `other writes kept changing the articles while this one was checked (${ATTEMPTS} tries); retry`,
            { "Retry-After": "1" },
          );
        }
        return results.map((result, index): ChangeResult => {
          const scopes = plan.scopes.get(changes[index].key);
          return scopes ? { ...result, scopes } : result;
        });
      }
    },
  };
}

/** How many of the last writes D1 keeps for /stats/. */
const WRITES_KEPT = 100;

/** The change set's line in api_writes, in its own transaction, and the lines past the newest WRITES_KEPT gone. */
function recordOf(
  by: string,
  at: number,
  changes: readonly Change[],
  results: readonly ChangeResult[],
): Statement[] {
  const summary = changes.map((change, index) => `${change.key} ${results[index].result}`);
  return [
    {
      sql: "INSERT INTO api_writes (at, token, summary) VALUES (?1, ?2, ?3)",
      values: [
        new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
        by,
        clip(summary.join(", "), 400),
      ],
    },
    {
      sql: `DELETE FROM api_writes WHERE id <= (SELECT MAX(id) FROM api_writes) - ${WRITES_KEPT}`,
      values: [],
    },
  ];
}

/** The newest writes first, as /stats/ lists them. */
export async function recentWrites(
  db: D1Like,
): Promise<{ at: string; token: string; summary: string }[]> {
  const { results } = await db
    .prepare(`SELECT at, token, summary FROM api_writes ORDER BY id DESC LIMIT ${WRITES_KEPT}`)
    .all<{ at: string; token: string; summary: string }>();
  return results;
}

/** The guard statement's failure: a version row is already there, because another write changed it. */
const isStale = (error: unknown) =>
  /UNIQUE constraint failed: meta\.key/.test(String((error as Error)?.message ?? error));

/** What the checks and the plan read: the keys' sources, the rows they replace, their owners and groups. */
async function readSnapshot(
  db: D1Like,
  changes: readonly Change[],
  articles: ReadonlyMap<string, Article>,
): Promise<Snapshot> {
  const version = await db
    .prepare("SELECT value FROM meta WHERE key = 'version'")
    .first<{ value: string }>();
  const sourceRows = await rowsWhereIn<Stored & { key: string; article_id: string }>(
    db,
    "SELECT key, article_id, text, etag FROM article_sources WHERE key",
    changes.map((change) => change.key),
  );
  const sources = new Map(
    sourceRows.map(({ key, article_id, text, etag }) => [
      key,
      { text, etag, articleId: article_id },
    ]),
  );
  const ids = [
    ...new Set([
      ...[...sources.values()].map((source) => source.articleId),
      ...[...articles.values()].map((article) => article.id),
    ]),
  ];
  const [rows, owners] = await Promise.all([
    rowsWhereIn<{ id: string; data: string }>(db, "SELECT id, data FROM articles WHERE id", ids),
    rowsWhereIn<{ key: string; article_id: string }>(
      db,
      "SELECT key, article_id FROM article_sources WHERE article_id",
      ids,
    ),
  ]);
  const placed = new Map(
    rows.map((row) => [row.id, placedOf(JSON.parse(row.data) as Article)] as const),
  );
  const every = [...placed.values(), ...[...articles.values()].map(placedOf)];
  const groupRows = await Promise.all(
    (["topic", "provider"] as const).map((kind) =>
      rowsWhereIn<{ kind: string; key: string; name: string }>(
        db,
        `SELECT kind, key, name FROM groups WHERE kind = '${kind}' AND key`,
        [
          ...new Set(
            every.flatMap((row) => (kind === "topic" ? row.topicKeys : [row.providerKey])),
          ),
        ],
      ),
    ),
  );
  return {
    version: version?.value ?? null,
    sources,
    rows: placed,
    owners: new Map(owners.map((row) => [row.article_id, row.key])),
    groupNames: new Map(groupRows.flat().map((row) => [`${row.kind} ${row.key}`, row.name])),
  };
}

function placedOf(article: Pick<Article, "id" | "published" | "provider" | "topics">): Placed {
  const { providerKey, topicKeys } = articleKeys(article);
  return {
    id: article.id,
    published: article.published,
    providerKey,
    topicKeys,
    providerName: article.provider.name,
    topicNames: new Map(article.topics.map((name) => [topicKey(name), name])),
    hasLogo: Boolean(article.provider.logo),
  };
}

/** A group a change set touched: how its count and spellings moved, and whether its logo may have. */
interface Touched {
  kind: "topic" | "provider";
  key: string;
  spellings: Map<string, number>;
  logo: boolean;
}

/** Feed order is newest first, ties by id: these are the rows that sort before (newer than) `published`, `id`. */
const NEWER = (id = "id") => `published >= ?1 AND (published > ?1 OR ${id} < ?2)`;
/** …and the rows that sort after it, nearest first (the indexes on published DESC, id serve both). */
const OLDER = (id = "id") =>
  `published <= ?1 AND (published < ?1 OR ${id} > ?2) ORDER BY published DESC, ${id} LIMIT 1`;
const topicPath = (key: string) => `'$."${key}"'`;

async function planWrites(
  db: D1Like,
  changes: readonly Change[],
  articles: ReadonlyMap<string, Article>,
  snapshot: Snapshot,
  at: number,
): Promise<{ statements: Statement[]; scopes: Map<string, StoreScope[]> }> {
  const statements: Statement[] = [
    {
      sql: "INSERT INTO meta (key, value) SELECT 'version', '' WHERE (SELECT value FROM meta WHERE key = 'version') IS NOT ?1",
      values: [snapshot.version],
    },
  ];
  const add = (sql: string, ...values: unknown[]) => statements.push({ sql, values });
  const rows = new Map(snapshot.rows);
  const owners = new Map(snapshot.owners);
  const touched = new Map<string, Touched>();
  const scopes = new Map<string, StoreScope[]>();
  let articleCount = 0;
  const touch = (
    kind: Touched["kind"],
    key: string,
    spelling: string,
    step: number,
    logo = false,
  ) => {
    const id = `${kind} ${key}`;
    let group = touched.get(id);
    if (!group) touched.set(id, (group = { kind, key, spellings: new Map(), logo: false }));
    group.spellings.set(spelling, (group.spellings.get(spelling) ?? 0) + step);
    group.logo ||= logo;
  };
  const live = (row: Placed, into: Map<string, StoreScope>) => {
    if (Date.parse(row.published) <= at) addScopes(into, row.providerKey, row.topicKeys);
  };

  /** Every article newer than the row moves by `step` in each of the row's scopes. */
  const shift = (row: Placed, step: 1 | -1) => {
    add(
      `UPDATE articles SET rank = rank + ${step}, provider_rank = provider_rank + ${step} * (provider_key = ?3) WHERE ${NEWER()}`,
      row.published,
      row.id,
      row.providerKey,
    );
    if (row.topicKeys.length === 0) return;
    add(
      `UPDATE article_topics SET rank = rank + ${step} WHERE topic_key IN (SELECT value FROM json_each(?3)) AND ${NEWER("article_id")}`,
      row.published,
      row.id,
      JSON.stringify(row.topicKeys),
    );
    for (const key of row.topicKeys)
      add(
        `UPDATE articles SET topic_ranks = json_set(topic_ranks, ${topicPath(key)}, json_extract(topic_ranks, ${topicPath(key)}) + ${step}) WHERE ${NEWER()} AND json_extract(topic_ranks, ${topicPath(key)}) IS NOT NULL`,
        row.published,
        row.id,
      );
  };
  /** What the row changes in its groups' spellings and logos (for groupFixes) and in the article count. */
  const touchGroups = (row: Placed, step: 1 | -1) => {
    touch("provider", row.providerKey, row.providerName, step, row.hasLogo);
    for (const key of row.topicKeys) touch("topic", key, row.topicNames.get(key)!, step);
    articleCount += step;
  };

  const remove = (row: Placed) => {
    add("DELETE FROM article_topics WHERE article_id = ?1", row.id);
    add("DELETE FROM articles WHERE id = ?1", row.id);
    shift(row, -1);
    add(
      "UPDATE groups SET count = count - 1 WHERE (kind = 'provider' AND key = ?1) OR (kind = 'topic' AND key IN (SELECT value FROM json_each(?2)))",
      row.providerKey,
      JSON.stringify(row.topicKeys),
    );
    touchGroups(row, -1);
  };

  const insert = (article: Article): Placed => {
    const row = placedOf(article);
    const { data, hash } = articleRow(article);
    const position = [row.published, row.id];
    shift(row, 1);
    for (const key of row.topicKeys)
      add(
        `INSERT INTO article_topics (topic_key, published, article_id, rank) VALUES (?3, ?1, ?2, COALESCE((SELECT rank FROM article_topics WHERE topic_key = ?3 AND ${OLDER("article_id")}), 0) + 1)`,
        ...position,
        key,
      );
    // Its topic_ranks in its own topic order, as publish writes them: from the links just made.
    const topicRanks = row.topicKeys.reduce(
      (json, key) =>
        `json_set(${json}, ${topicPath(key)}, (SELECT rank FROM article_topics WHERE topic_key = '${key}' AND article_id = ?2))`,
      "'{}'",
    );
    add(
      `INSERT INTO articles (id, published, provider_key, rank, provider_rank, topic_ranks, search, data, hash) VALUES (?2, ?1, ?3, COALESCE((SELECT rank FROM articles WHERE ${OLDER()}), 0) + 1, COALESCE((SELECT provider_rank FROM articles WHERE provider_key = ?3 AND ${OLDER()}), 0) + 1, ${topicRanks}, ?4, ?5, ?6)`,
      ...position,
      row.providerKey,
      searchText(article),
      data,
      hash,
    );
    const logo = article.provider.logo ? JSON.stringify(article.provider.logo) : null;
    add(
      "INSERT INTO groups (kind, key, name, count, newest, logo) VALUES ('provider', ?1, ?2, 1, ?3, ?4) ON CONFLICT (kind, key) DO UPDATE SET count = count + 1",
      row.providerKey,
      row.providerName,
      row.published,
      logo,
    );
    for (const key of row.topicKeys)
      add(
        "INSERT INTO groups (kind, key, name, count, newest, logo) VALUES ('topic', ?1, ?2, 1, ?3, NULL) ON CONFLICT (kind, key) DO UPDATE SET count = count + 1",
        key,
        row.topicNames.get(key),
        row.published,
      );
    touchGroups(row, 1);
    rows.set(row.id, row);
    return row;
  };

  for (const change of changes) {
    const article = articles.get(change.key);
    const source = snapshot.sources.get(change.key);
    const owner = article && owners.get(article.id);
    if (article && owner !== undefined && owner !== change.key)
      throw new ApiError(
        409,
        `${change.key}: its webUrl ${article.url} is published already, as ${owner}: send it to that key, or give it another webUrl`,
      );
    const changed = new Map<string, StoreScope>();
    // Its own earlier article goes, and (where its URL was published by a file) the row it now replaces.
    const replaced = new Set([source?.articleId, article?.isPublished ? article.id : undefined]);
    for (const id of replaced) {
      const row = id === undefined ? undefined : rows.get(id);
      if (!row) continue;
      live(row, changed);
      remove(row);
      rows.delete(row.id);
    }
    if (source) owners.delete(source.articleId);
    if (!article) add("DELETE FROM article_sources WHERE key = ?1", change.key);
    else {
      add(
        "INSERT OR REPLACE INTO article_sources (key, article_id, text, etag) VALUES (?1, ?2, ?3, ?4)",
        change.key,
        article.id,
        change.text,
        resultOf(change, undefined).etag,
      );
      owners.set(article.id, change.key);
      if (article.isPublished) live(insert(article), changed);
    }
    if (changed.size > 0) scopes.set(change.key, [...changed.values()]);
  }
  for (const group of touched.values()) statements.push(...(await groupFixes(db, group, snapshot)));
  statements.push(...metaFixes(snapshot.version, articleCount, changes));
  return { statements, scopes };
}

/** A touched group's end when emptied, its newest date, its name where its spellings moved, and its logo. */
async function groupFixes(db: D1Like, group: Touched, snapshot: Snapshot): Promise<Statement[]> {
  const { kind, key } = group;
  const newest =
    kind === "provider"
      ? "SELECT MAX(published) FROM articles WHERE provider_key = ?1"
      : "SELECT MAX(published) FROM article_topics WHERE topic_key = ?1";
  const fixes: Statement[] = [
    // An emptied group goes first: it has no newest date left to take.
    { sql: "DELETE FROM groups WHERE kind = ?2 AND key = ?1 AND count <= 0", values: [key, kind] },
    {
      sql: `UPDATE groups SET newest = (${newest}) WHERE kind = ?2 AND key = ?1`,
      values: [key, kind],
    },
  ];
  const name = await renamed(db, group, snapshot.groupNames.get(`${kind} ${key}`));
  if (name !== undefined)
    fixes.push({
      sql: "UPDATE groups SET name = ?3 WHERE kind = ?2 AND key = ?1",
      values: [key, kind, name],
    });
  // The logo of the newest of its articles that has one, as publish takes it.
  if (group.logo)
    fixes.push({
      sql: "UPDATE groups SET logo = (SELECT json_extract(data, '$.provider.logo') FROM articles WHERE provider_key = ?1 AND json_extract(data, '$.provider.logo') IS NOT NULL ORDER BY published DESC, id LIMIT 1) WHERE kind = 'provider' AND key = ?1",
      values: [key],
    });
  return fixes;
}

/**
 * A group's name is its most used spelling. It can change only where a spelling other than the
 * name gained, or the name's own lost: only then are the group's spellings read (a provider's
 * in one grouped query, a topic's from its articles).
 */
async function renamed(
  db: D1Like,
  { kind, key, spellings }: Touched,
  name: string | undefined,
): Promise<string | undefined> {
  const moved = [...spellings].filter(([, step]) => step !== 0);
  if (!moved.some(([spelling, step]) => (spelling === name ? step < 0 : step > 0)))
    return undefined;
  const counts = new Map<string, number>();
  if (name !== undefined) {
    for (const spelling of await spellingsNow(db, kind, key))
      counts.set(spelling, (counts.get(spelling) ?? 0) + 1);
  }
  for (const [spelling, step] of moved) counts.set(spelling, (counts.get(spelling) ?? 0) + step);
  return mostUsedSpelling(new Map([...counts].filter(([, count]) => count > 0)));
}

/** One spelling per article of the group, as D1 holds it before the change set. */
async function spellingsNow(db: D1Like, kind: Touched["kind"], key: string): Promise<string[]> {
  if (kind === "provider") {
    const { results } = await db
      .prepare(
        "SELECT json_extract(data, '$.provider.name') AS name FROM articles WHERE provider_key = ?1",
      )
      .bind(key)
      .all<{ name: string }>();
    return results.map((row) => row.name);
  }
  const { results } = await db
    .prepare(
      "SELECT json_extract(a.data, '$.topics') AS topics FROM article_topics t JOIN articles a ON a.id = t.article_id WHERE t.topic_key = ?1",
    )
    .bind(key)
    .all<{ topics: string }>();
  return results.map((row) =>
    (JSON.parse(row.topics) as string[]).find((name) => topicKey(name) === key)!,
  );
}

/**
 * The meta rows: the count, the newest date, and a new content version, which keys every cache.
 * It names the version before and the changes (not the whole content, which publish hashes), so
 * the same change set on the same content always gives the same version.
 */
function metaFixes(version: string | null, delta: number, changes: readonly Change[]): Statement[] {
  const next = etagOf(
    [version ?? "", ...changes.map((change) => `${change.key}\n${change.text ?? ""}`)].join("\n"),
  ).slice(1, 17);
  return [
    {
      sql: `INSERT INTO meta (key, value) VALUES ('articles', '${delta}') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + ${delta}`,
      values: [],
    },
    {
      sql: "INSERT INTO meta (key, value) VALUES ('newest', COALESCE((SELECT MAX(published) FROM articles), '')) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      values: [],
    },
    {
      sql: "INSERT INTO meta (key, value) VALUES ('version', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      values: [next],
    },
  ];
}
