/**
 * Where statistics are kept: SQLite, written once for both places it runs,
 * D1 on Workers and sql.js (SQLite in WebAssembly) on Node, each behind the
 * small `SqlDatabase` below. Schema: migrations/0002_stats.sql.
 *
 * A reader is counted once over a rolling 7 days: each day's readers are
 * stored as keyed hashes under that day's key, and when a reader polls, its
 * hash under each of the 6 earlier days' keys finds it among those days'
 * readers, which are then marked `superseded_on` today. A day's count is the
 * window's readers not superseded by that day: final once the day is over, so
 * closed days are kept as totals and the hashes deleted after 8 days.
 */
import { addDays } from "./clients.js";

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

export interface SqlDatabase {
  /** Runs the statements in order, as one transaction where the database offers it; each one's rows. */
  batch(statements: SqlStatement[]): Promise<Record<string, unknown>[][]>;
}

/** Days a reader stays counted after its last poll, today included. */
export const WINDOW_DAYS = 7;

export interface FeedStats {
  path: string;
  subscribers: number;
  aggregators: Record<string, number>;
  individuals: number;
  days: { date: string; subscribers: number }[];
}

export interface StatsOptions {
  /** Days of daily totals kept (STATS_RETENTION_DAYS). */
  retentionDays: number;
  /** The most an aggregator's first count for a feed may say (STATS_CLAIM_CEILING). */
  claimCeiling: number;
}

const statement = (sql: string, ...params: unknown[]): SqlStatement => ({ sql, params });

/** Feed-ids a service may count for one feed on one day: inventing more adds nothing. */
const MAX_FEED_IDS = 3;

export function createStatsStore(db: SqlDatabase, options: StatsOptions) {
  /** Individuals of each feed on `day`: readers of its window not superseded by then. */
  const individualsOn = (day: string) =>
    statement(
      "SELECT path, COUNT(*) AS n FROM stats_clients WHERE day BETWEEN ?1 AND ?2 AND (superseded_on IS NULL OR superseded_on > ?2) GROUP BY path",
      addDays(day, 1 - WINDOW_DAYS),
      day,
    );
  /** Each service's count for each feed on `day`: per feed-id, its latest count within the window, summed. */
  const aggregatorsOn = (day: string) =>
    statement(
      `SELECT path, service, SUM(subscribers) AS n FROM stats_claims c
       WHERE day = (SELECT MAX(day) FROM stats_claims WHERE path = c.path AND service = c.service AND feed_id = c.feed_id AND day BETWEEN ?1 AND ?2)
       GROUP BY path, service`,
      addDays(day, 1 - WINDOW_DAYS),
      day,
    );
  const totalsOn = async (
    day: string,
  ): Promise<Map<string, { individuals: number; aggregators: Record<string, number> }>> => {
    const [individuals, aggregators] = await db.batch([individualsOn(day), aggregatorsOn(day)]);
    const totals = new Map<string, { individuals: number; aggregators: Record<string, number> }>();
    const of = (path: string) =>
      totals.get(path) ?? totals.set(path, { individuals: 0, aggregators: {} }).get(path)!;
    for (const row of individuals) of(String(row.path)).individuals = Number(row.n);
    for (const row of aggregators)
      of(String(row.path)).aggregators[String(row.service)] = Number(row.n);
    return totals;
  };

  return {
    /** The keys of the window's days, today's made if it is not yet: base64 by day. */
    async keys(today: string): Promise<Map<string, string>> {
      const random = crypto.getRandomValues(new Uint8Array(32));
      const [, rows] = await db.batch([
        statement(
          "INSERT INTO stats_keys (day, key) VALUES (?1, ?2) ON CONFLICT (day) DO NOTHING",
          today,
          btoa(String.fromCharCode(...random)),
        ),
        statement(
          "SELECT day, key FROM stats_keys WHERE day BETWEEN ?1 AND ?2",
          addDays(today, 1 - WINDOW_DAYS),
          today,
        ),
      ]);
      return new Map(rows.map((row) => [String(row.day), String(row.key)]));
    },

    /** A reader's poll: its hash under each window day's key, today's included. */
    async recordReader(
      today: string,
      path: string,
      hashes: ReadonlyMap<string, number>,
    ): Promise<void> {
      const todays = hashes.get(today);
      if (todays === undefined) return;
      const earlier = [...hashes].filter(([day]) => day < today);
      const statements = [
        statement(
          "INSERT INTO stats_clients (path, day, hash) VALUES (?1, ?2, ?3) ON CONFLICT (path, day, hash) DO NOTHING",
          path,
          today,
          todays,
        ),
      ];
      if (earlier.length > 0) {
        const values: unknown[] = [path, today];
        const matches = earlier.map(
          ([day, hash]) => `(day = ?${values.push(day)} AND hash = ?${values.push(hash)})`,
        );
        statements.push({
          sql: `UPDATE stats_clients SET superseded_on = ?2 WHERE path = ?1 AND superseded_on IS NULL AND (${matches.join(" OR ")})`,
          params: values,
        });
      }
      await db.batch(statements);
    },

    /**
     * An aggregator's count, bounded: a first count up to the ceiling, later
     * ones up to twice the count of the day before it (plus 10); at most
     * MAX_FEED_IDS feed-ids per service and feed a day. The day keeps its latest.
     */
    async recordClaim(
      today: string,
      path: string,
      service: string,
      feedId: string,
      subscribers: number,
    ): Promise<void> {
      await db.batch([
        statement(
          `INSERT INTO stats_claims (path, service, feed_id, day, subscribers)
           SELECT ?1, ?2, ?3, ?4, MIN(?5, COALESCE(
             (SELECT MAX(subscribers * 2, subscribers + 10) FROM stats_claims WHERE path = ?1 AND service = ?2 AND feed_id = ?3 AND day < ?4 ORDER BY day DESC LIMIT 1), ?6))
           WHERE ?3 IN (SELECT feed_id FROM stats_claims WHERE path = ?1 AND service = ?2 AND day = ?4)
              OR (SELECT COUNT(*) FROM stats_claims WHERE path = ?1 AND service = ?2 AND day = ?4) < ${MAX_FEED_IDS}
           ON CONFLICT (path, service, feed_id, day) DO UPDATE SET subscribers = excluded.subscribers WHERE subscribers != excluded.subscribers`,
          path,
          service,
          feedId,
          today,
          subscribers,
          options.claimCeiling,
        ),
      ]);
    },

    /**
     * Keeps each closed day's totals (final once it is over), then deletes
     * what is no longer needed: hashes and claims past the window of
     * yesterday, keys past today's window, totals past the retention.
     */
    async maintain(today: string): Promise<void> {
      const [[latest]] = await db.batch([statement("SELECT MAX(day) AS day FROM stats_days")]);
      const oldestOpen = addDays(today, -WINDOW_DAYS);
      for (
        let day = latest?.day ? addDays(String(latest.day), 1) : oldestOpen;
        day < today;
        day = addDays(day, 1)
      ) {
        if (day < oldestOpen) day = oldestOpen; // older days' hashes are gone: nothing to total
        const totals = await totalsOn(day);
        if (totals.size === 0) continue;
        await db.batch(
          [...totals].map(([path, { individuals, aggregators }]) =>
            statement(
              "INSERT INTO stats_days (path, day, individuals, aggregators) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (path, day) DO NOTHING",
              path,
              day,
              individuals,
              JSON.stringify(aggregators),
            ),
          ),
        );
      }
      await db.batch([
        statement("DELETE FROM stats_clients WHERE day < ?1", oldestOpen),
        statement("DELETE FROM stats_claims WHERE day < ?1", oldestOpen),
        statement("DELETE FROM stats_keys WHERE day < ?1", addDays(today, 1 - WINDOW_DAYS)),
        statement("DELETE FROM stats_days WHERE day <= ?1", addDays(today, -options.retentionDays)),
      ]);
    },

    /** Every feed with a count in the retention, today's figures first, then its days oldest first. */
    async report(today: string): Promise<FeedStats[]> {
      const [rows] = await db.batch([
        statement(
          "SELECT path, day, individuals, aggregators FROM stats_days WHERE day > ?1 ORDER BY path, day",
          addDays(today, -options.retentionDays),
        ),
      ]);
      const now = await totalsOn(today);
      const feeds = new Map<string, FeedStats>();
      const feedOf = (path: string) =>
        feeds.get(path) ??
        feeds
          .set(path, { path, subscribers: 0, aggregators: {}, individuals: 0, days: [] })
          .get(path)!;
      const sum = (aggregators: Record<string, number>) =>
        Object.values(aggregators).reduce((total, n) => total + n, 0);
      for (const row of rows) {
        const aggregators = JSON.parse(String(row.aggregators)) as Record<string, number>;
        feedOf(String(row.path)).days.push({
          date: String(row.day),
          subscribers: Number(row.individuals) + sum(aggregators),
        });
      }
      for (const [path, { individuals, aggregators }] of now) {
        const feed = feedOf(path);
        Object.assign(feed, {
          individuals,
          aggregators,
          subscribers: individuals + sum(aggregators),
        });
        feed.days.push({ date: today, subscribers: feed.subscribers });
      }
      return [...feeds.values()].sort(
        (a, b) => b.subscribers - a.subscribers || (a.path < b.path ? -1 : 1),
      );
    },
  };
}

export type StatsStore = ReturnType<typeof createStatsStore>;
