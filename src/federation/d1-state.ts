/**
 * Federation's state in D1, on a Worker (tables: migrations/0004_federation.sql):
 * the followers, the key pair, and the delivery queue, each activity kept once
 * with a row per inbox still to reach. Several isolates share it: a delivery
 * is claimed before it is attempted (its next_at moved past the attempt's
 * longest wait), so two isolates never send the same one at once.
 */
import { type D1Like, type D1StatementLike, chunks, rowsWhereIn } from "../sources/d1-store.js";
import { literal } from "../publish/d1-sync.js";
import { type KeyPair, type StoredKeys, keyPairOf, makeKeys } from "./keys.js";
import type { Delivery, FederationStore, Follower } from "./state.js";

/** Queue rows per INSERT: each is an inbox URL and three numbers, well inside D1's 100 kB statement. */
const QUEUE_ROWS_PER_STATEMENT = 200;

interface FollowerRow {
  account: string;
  actor: string;
  inbox: string;
  shared_inbox: string | null;
  follow: string;
  since: string;
}

/** A delivery's id is its activity's id and its inbox (posts.ts, federation.ts): the activity is the rest. */
const activityOf = (delivery: Delivery) =>
  delivery.id.slice(0, delivery.id.length - delivery.inbox.length - 1);

const followerOf = (row: FollowerRow): Follower => ({
  account: row.account,
  actor: row.actor,
  inbox: row.inbox,
  ...(row.shared_inbox ? { sharedInbox: row.shared_inbox } : {}),
  follow: row.follow,
  since: row.since,
});

export interface D1FederationStore extends FederationStore {
  followersOf(accounts: readonly string[]): Promise<Follower[]>;
  /** The statements that queue `deliveries`, for a batch of the caller's. */
  enqueueStatements(deliveries: readonly Delivery[]): D1StatementLike[];
  /** Up to `limit` deliveries due at `now`, each held until `holdUntil` for this caller to attempt. */
  claimDue(now: number, holdUntil: number, limit: number): Promise<Delivery[]>;
  /** After an attempt: the next one, or (undefined) done with it. */
  settle(delivery: Delivery, next: Delivery | undefined): Promise<void>;
}

export function d1FederationStore(db: D1Like): D1FederationStore {
  const run = (sql: string, ...values: unknown[]) =>
    db
      .prepare(sql)
      .bind(...values)
      .all();
  const changed = async (sql: string, ...values: unknown[]) =>
    ((await run(sql, ...values)).meta?.changes ?? 0) > 0;
  const enqueueStatements = (deliveries: readonly Delivery[]): D1StatementLike[] => {
    const activities = new Map(deliveries.map((delivery) => [activityOf(delivery), delivery]));
    return [
      ...[...activities].map(([id, { keyId, body }]) =>
        db
          .prepare("INSERT OR IGNORE INTO fed_activities (id, key_id, body) VALUES (?1, ?2, ?3)")
          .bind(id, keyId, body),
      ),
      ...chunks(deliveries, QUEUE_ROWS_PER_STATEMENT).map((chunk) =>
        db.prepare(
          `INSERT OR IGNORE INTO fed_queue (activity, inbox, attempts, first_at, next_at) VALUES ${chunk
            .map(
              (delivery) =>
                `(${[activityOf(delivery), delivery.inbox].map(literal).join(", ")}, ${Math.trunc(delivery.attempts)}, ${Math.trunc(delivery.firstAt)}, ${Math.trunc(delivery.nextAt)})`,
            )
            .join(", ")}`,
        ),
      ),
    ];
  };
  return {
    async follow(follower) {
      await run(
        `INSERT INTO fed_followers (account, actor, inbox, shared_inbox, follow, since) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account, actor) DO UPDATE SET inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, follow = excluded.follow, since = excluded.since`,
        follower.account,
        follower.actor,
        follower.inbox,
        follower.sharedInbox ?? null,
        follower.follow,
        follower.since,
      );
    },
    unfollow: (account, actor) =>
      changed("DELETE FROM fed_followers WHERE account = ?1 AND actor = ?2", account, actor),
    dropActor: (actor) => changed("DELETE FROM fed_followers WHERE actor = ?1", actor),
    async followerCount(account) {
      const row = await db
        .prepare("SELECT COUNT(*) AS count FROM fed_followers WHERE account = ?1")
        .bind(account)
        .first<{ count: number }>();
      return row?.count ?? 0;
    },
    async counts() {
      const { results } = await db
        .prepare("SELECT account, COUNT(*) AS count FROM fed_followers GROUP BY account")
        .all<{ account: string; count: number }>();
      return new Map(results.map((row) => [row.account, row.count]));
    },
    async followersOf(accounts) {
      const rows = await rowsWhereIn<FollowerRow>(
        db,
        "SELECT account, actor, inbox, shared_inbox, follow, since FROM fed_followers WHERE account",
        accounts,
      );
      return rows.map(followerOf);
    },
    enqueueStatements,
    async enqueue(deliveries) {
      const statements = enqueueStatements([...deliveries]);
      if (statements.length > 0) await db.batch(statements);
    },
    async claimDue(now, holdUntil, limit) {
      const { results: claimed } = await db
        .prepare(
          `UPDATE fed_queue SET next_at = ${Math.trunc(holdUntil)}
           WHERE (activity, inbox) IN (SELECT activity, inbox FROM fed_queue WHERE next_at <= ${Math.trunc(now)} ORDER BY next_at LIMIT ${Math.trunc(limit)})
           RETURNING activity, inbox, attempts, first_at`,
        )
        .all<{ activity: string; inbox: string; attempts: number; first_at: number }>();
      const activities = new Map(
        (
          await rowsWhereIn<{ id: string; key_id: string; body: string }>(
            db,
            "SELECT id, key_id, body FROM fed_activities WHERE id",
            [...new Set(claimed.map((row) => row.activity))],
          )
        ).map((row) => [row.id, row]),
      );
      return claimed.flatMap((row) => {
        const activity = activities.get(row.activity);
        if (!activity) return [];
        return [
          {
            id: `${row.activity} ${row.inbox}`,
            inbox: row.inbox,
            keyId: activity.key_id,
            body: activity.body,
            attempts: row.attempts,
            firstAt: row.first_at,
            nextAt: now,
          },
        ];
      });
    },
    async settle(delivery, next) {
      const activity = activityOf(delivery);
      const done = next
        ? `UPDATE fed_queue SET attempts = ${Math.trunc(next.attempts)}, next_at = ${Math.trunc(next.nextAt)} WHERE activity = ?1 AND inbox = ?2`
        : "DELETE FROM fed_queue WHERE activity = ?1 AND inbox = ?2";
      await db.batch([
        db.prepare(done).bind(activity, delivery.inbox),
        db
          .prepare(
            "DELETE FROM fed_activities WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM fed_queue WHERE activity = ?1)",
          )
          .bind(activity),
      ]);
    },
  };
}

/**
 * The key pair, made by the first isolate that needs it: a second one racing it keeps the pair
 * that was stored first, so every account has one key.
 */
export async function d1Keys(db: D1Like): Promise<KeyPair> {
  const read = async () =>
    (await db.prepare("SELECT keys FROM fed_keys WHERE id = 1").first<{ keys: string }>())?.keys;
  let stored = await read();
  if (!stored) {
    await db
      .prepare("INSERT OR IGNORE INTO fed_keys (id, keys) VALUES (1, ?1)")
      .bind(JSON.stringify(await makeKeys()))
      .all();
    stored = await read();
  }
  return keyPairOf(JSON.parse(stored!) as StoredKeys);
}
