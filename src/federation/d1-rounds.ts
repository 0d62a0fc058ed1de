/**
 * Federation's work on a Worker, where the state is in D1 and nothing runs
 * between requests. A round of posts compares what changed with what
 * followers heard, as Node does on each reload (posts.ts), but reads only
 * what can have changed: the articles the triggers of
 * migrations/0004_federation.sql marked (added, changed or removed by
 * publish or the API), and the fresh live articles not yet posted (a
 * scheduled one whose time came). A round is applied as one batch, and only
 * if no other round and no content write came between its reads and its
 * writes; otherwise it reads again. Deliveries go out when the Worker says
 * so (entry/worker-app.ts: after a round, an inbox's POST, and on the cron),
 * for as long as a waitUntil lasts.
 */
import type { Article } from "../content/article.js";
import { type ContentStore, publishedCutoff } from "../index/store.js";
import { literal } from "../publish/d1-sync.js";
import { type D1Like, type D1StatementLike, chunks, rowsWhereIn } from "../sources/d1-store.js";
import type { D1FederationStore } from "./d1-state.js";
import { DELIVERY_POLICY, type Deliverer, attemptDelivery, nextAttempt } from "./delivery.js";
import type { DelivererParts, Federation } from "./federation.js";
import { FRESH_MS, deliveriesOf, planPosts } from "./posts.js";
import type { Follower } from "./state.js";

/** Marked articles read per round; a round that leaves some is followed by another. */
const PENDING_PER_ROUND = 500;
/** A round that keeps meeting concurrent writes leaves its work to the next one. */
const ROUND_ATTEMPTS = 3;
/** Posted-record rows per INSERT (each an id and a short entry). */
const ENTRIES_PER_STATEMENT = 200;
/** A run stops claiming deliveries after this long: a Worker's waitUntil lasts 30 s after its answer. */
const RUN_BUDGET_MS = 20_000;
/** A claimed delivery is held this much longer than an attempt can take, then another run may claim it. */
const HOLD_MARGIN_MS = 15_000;

/** The guard's failure: a fed_meta row is already there, because another round or a content write came between. */
const isStaleRound = (error: unknown) =>
  /UNIQUE constraint failed: fed_meta\.key/.test(String((error as Error)?.message ?? error));

const uuidOf = (id: string) => id.slice("urn:uuid:".length);

/** Runs rounds until nothing is marked, each retried on a concurrent write; returns the deliveries queued. */
export async function postRounds(
  db: D1Like,
  federation: Federation<D1FederationStore>,
  content: ContentStore,
): Promise<number> {
  let queued = 0;
  for (let attempt = 1; ;) {
    try {
      const round = await postRound(db, federation, content);
      queued += round.queued;
      if (!round.more) return queued;
    } catch (error) {
      if (!isStaleRound(error) || attempt++ >= ROUND_ATTEMPTS) throw error;
    }
  }
}

interface RoundMeta {
  started: string | null;
  round: string | null;
  version: string | null;
}

async function postRound(
  db: D1Like,
  federation: Federation<D1FederationStore>,
  content: ContentStore,
): Promise<{ queued: number; more: boolean }> {
  const now = federation.now();
  const meta = (await db
    .prepare(
      "SELECT (SELECT value FROM fed_meta WHERE key = 'started') AS started, (SELECT value FROM fed_meta WHERE key = 'round') AS round, (SELECT value FROM meta WHERE key = 'version') AS version",
    )
    .first<RoundMeta>())!;
  const cutoff = publishedCutoff(now);
  const freshFrom = publishedCutoff(now - FRESH_MS);
  const [fresh, pending] = await db.batch<{ id: string }>([
    db
      .prepare(
        "SELECT id FROM articles WHERE published > ?1 AND published <= ?2 AND NOT EXISTS (SELECT 1 FROM fed_posted WHERE article_id = articles.id)",
      )
      .bind(freshFrom, cutoff),
    db.prepare(`SELECT article_id AS id FROM fed_pending LIMIT ${PENDING_PER_ROUND}`),
  ]);
  const pendingIds = pending.results.map((row) => row.id);
  const ids = [...new Set([...fresh.results.map((row) => row.id), ...pendingIds])];
  if (ids.length === 0 && meta.started) return { queued: 0, more: false };
  const articles = await rowsWhereIn<{ data: string }>(
    db,
    "SELECT data FROM articles WHERE id",
    ids,
  );
  const live = articles
    .map((row) => JSON.parse(row.data) as Article)
    .filter((article) => article.published <= cutoff);
  // The first round only records what is live: turning federation on must not post the archive.
  const before = meta.started
    ? new Map(
        (
          await rowsWhereIn<{ article_id: string; entry: string }>(
            db,
            "SELECT article_id, entry FROM fed_posted WHERE article_id",
            ids,
          )
        ).map((row) => [uuidOf(row.article_id), row.entry]),
      )
    : null;
  const plan = await planPosts({
    before,
    live,
    accounts: await federation.accounts(content),
    urls: federation.urls,
    now,
  });
  // Recorded: what was posted before, and what is fresh (an older article was never posted, so its edits are not news).
  const kept = live.filter(
    (article) => before?.has(uuidOf(article.id)) || article.published > freshFrom,
  );
  const removed = [...(before?.keys() ?? [])].filter((id) => !plan.posted.has(id));
  const followers = await followersByAccount(
    federation.options.state,
    plan.posts.map((post) => post.account.handle),
  );
  const deliveries = plan.posts.flatMap((post) =>
    deliveriesOf(
      post,
      followers.get(post.account.handle) ?? [],
      federation.urls,
      federation.blocked,
      now,
    ),
  );
  await db.batch([
    ...guard(db, meta, now),
    ...chunks(pendingIds).map((chunk) =>
      db.prepare(`DELETE FROM fed_pending WHERE article_id IN (${chunk.map(literal).join(", ")})`),
    ),
    ...chunks(kept, ENTRIES_PER_STATEMENT).map((chunk) =>
      db.prepare(
        `INSERT INTO fed_posted (article_id, entry) VALUES ${chunk
          .map(
            (article) =>
              `(${literal(article.id)}, ${literal(plan.posted.get(uuidOf(article.id))!)})`,
          )
          .join(", ")} ON CONFLICT (article_id) DO UPDATE SET entry = excluded.entry`,
      ),
    ),
    ...chunks(removed).map((chunk) =>
      db.prepare(
        `DELETE FROM fed_posted WHERE article_id IN (${chunk.map((id) => literal(`urn:uuid:${id}`)).join(", ")})`,
      ),
    ),
    ...federation.options.state.enqueueStatements(deliveries),
  ]);
  return { queued: deliveries.length, more: pendingIds.length === PENDING_PER_ROUND };
}

/**
 * The batch's first statements: they fail (a duplicate fed_meta key) unless this is still the
 * state the round read, so the batch, one transaction, changes nothing. The first round claims
 * 'started'; every round then moves 'round' on.
 */
function guard(db: D1Like, meta: RoundMeta, now: number): D1StatementLike[] {
  return [
    ...(meta.started
      ? []
      : [
          db
            .prepare("INSERT INTO fed_meta (key, value) VALUES ('started', ?1)")
            .bind(new Date(now).toISOString()),
        ]),
    db
      .prepare(
        "INSERT INTO fed_meta (key, value) SELECT 'started', '' WHERE (SELECT value FROM fed_meta WHERE key = 'round') IS NOT ?1 OR (SELECT value FROM meta WHERE key = 'version') IS NOT ?2",
      )
      .bind(meta.round, meta.version),
    db
      .prepare(
        "INSERT INTO fed_meta (key, value) VALUES ('round', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .bind(String(Number(meta.round ?? 0) + 1)),
  ];
}

async function followersByAccount(
  state: D1FederationStore,
  handles: readonly string[],
): Promise<Map<string, Follower[]>> {
  const byAccount = new Map<string, Follower[]>();
  for (const follower of await state.followersOf([...new Set(handles)]))
    byAccount.set(follower.account, [...(byAccount.get(follower.account) ?? []), follower]);
  return byAccount;
}

/**
 * A Worker's deliverer: `deliver()` claims what is due, a few at a time, attempts each, and
 * settles it (done, or its next attempt), until nothing is due or its time is up; `idle()` is the
 * same, for tests. `kick()` does nothing: a delivery started outside a waitUntil could be cut
 * off, so the Worker calls `deliver()` itself, inside one.
 */
export function d1Deliverer(
  state: D1FederationStore,
  { send, now, log, policy = DELIVERY_POLICY }: DelivererParts,
): Deliverer & { deliver(): Promise<void> } {
  const deliver = async () => {
    const started = now();
    while (now() - started < RUN_BUDGET_MS) {
      const due = await state.claimDue(
        now(),
        now() + policy.timeoutMs + HOLD_MARGIN_MS,
        policy.concurrency,
      );
      if (due.length === 0) return;
      await Promise.all(
        due.map(async (delivery) => {
          const outcome = await attemptDelivery(send, delivery, policy);
          await state.settle(delivery, nextAttempt(delivery, outcome, { policy, now: now(), log }));
        }),
      );
    }
  };
  return {
    deliver,
    kick() {},
    idle: deliver,
    close() {},
  };
}
