/**
 * Federation's state and queue in D1, in workerd (miniflare's local SQLite):
 * a new article sent through the API is queued for 1,000 followers on 200
 * servers as 200 deliveries of one activity, two isolates' rounds racing
 * queue it once, two deliverers racing send each delivery once, and a
 * failing server is tried again until it answers, or given up. The inboxes
 * are a Node server (test-workers/inboxes.ts) reached over HTTP.
 *
 * Deliveries here are sent unsigned: in this test pool, http-message-signatures
 * cannot load structured-headers (its require() is given the ESM entry,
 * cloudflare/workers-sdk#12899), though wrangler's bundle can. Signed
 * delivery from a Worker, verified by an independent implementation, is
 * test/federation-worker.test.ts, under wrangler dev.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { type Config, loadConfig } from "../../src/config.js";
import { workerOnD1 } from "./worker-on-d1.js";
import { d1Deliverer } from "../../src/federation/d1-rounds.js";
import { d1FederationStore } from "../../src/federation/d1-state.js";
import type { DeliveryPolicy } from "../../src/federation/delivery.js";
import type { Delivery } from "../../src/federation/state.js";
import { workerFederation } from "../../src/federation/workers.js";
import { publishingTime } from "../../src/runtime/clock.js";
import { type D1Like, createD1Store } from "../../src/sources/d1-store.js";
import type { InboxRecord } from "../inboxes.js";

const { DB } = env as unknown as { DB: D1Like };
const SECRET = "workers-d1-federation-secret-0123";
const API_TOKENS = `pipeline:create,update,delete:${SECRET}`;
const PUBLIC_URL = "https://feeds.example.com";
const inboxes = inject("inboxesUrl");
const FEDERATING = { FEDERATION: "on", PUBLIC_URL, FEDERATION_ALLOW_INSECURE: "true" };
const SETTINGS = { enabled: true, allowInsecure: true, blockedDomains: [] };
const config = loadConfig({ PUBLIC_URL }) as Config & { publicUrl: string };
const content = createD1Store(DB, publishingTime(config));

const workerWith = (vars: Record<string, string>) => workerOnD1({ DB, API_TOKENS }, vars);

const received = async (prefix: string): Promise<InboxRecord[]> =>
  ((await (await fetch(`${inboxes}/received`)).json()) as InboxRecord[]).filter((record) =>
    record.path.startsWith(prefix),
  );

let serial = 0;
function put(site: ReturnType<typeof workerWith>, title: string) {
  serial++;
  return site.fetch(
    new Request(`${PUBLIC_URL}/api/articles/federated-${serial}`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${SECRET}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        title,
        excerpt: "Posted to the fediverse.",
        publishedDateTime: new Date(Date.now() - 60_000).toISOString().slice(0, 19) + "Z",
        webUrl: `https://wire.example.com/federated-${serial}`,
        provider: { name: "Wire", domain: "wire.example.com" },
        topics: ["AI"],
      }),
    }),
  );
}

async function follow(account: string, count: number, server: (i: number) => string) {
  for (let i = 0; i < count; i++) {
    const origin = `${inboxes}${server(i)}`;
    await state.follow({
      account,
      actor: `${origin}/users/${i}`,
      inbox: `${origin}/users/${i}/inbox`,
      sharedInbox: `${origin}/inbox`,
      follow: `${origin}/follows/${i}`,
      since: new Date().toISOString(),
    });
  }
}

const state = d1FederationStore(DB);
const queuedRows = async () =>
  (
    await DB.prepare("SELECT activity, inbox, attempts FROM fed_queue ORDER BY inbox").all<{
      activity: string;
      inbox: string;
      attempts: number;
    }>()
  ).results;
/** Forgets the followers and the queue a test left. */
const clear = () =>
  DB.batch(
    ["fed_followers", "fed_queue", "fed_activities"].map((table) =>
      DB.prepare(`DELETE FROM ${table}`),
    ),
  );

const POLICY: DeliveryPolicy = {
  retryDelays: [1_000],
  giveUpAfterMs: 5_000,
  timeoutMs: 3_000,
  concurrency: 4,
};

/** A Worker's deliverer over the D1 queue, sending each delivery's body by a plain POST. */
const delivererAt = (now: () => number, logged: string[] = []) =>
  d1Deliverer(state, {
    now,
    log: (line) => logged.push(line),
    policy: POLICY,
    send: async (delivery, signal) => {
      const response = await fetch(delivery.inbox, {
        method: "POST",
        body: delivery.body,
        signal,
      });
      await response.body?.cancel();
      return response.status;
    },
  });

const delivery = (path: string, name: string, at: number): Delivery => ({
  id: `${PUBLIC_URL}/activities/${name} ${inboxes}${path}`,
  inbox: `${inboxes}${path}`,
  keyId: `${PUBLIC_URL}/#main-key`,
  body: JSON.stringify({ id: `${PUBLIC_URL}/activities/${name}`, type: "Create" }),
  attempts: 0,
  firstAt: at,
  nextAt: at,
});

beforeAll(async () => {
  // The first round records what is live: none of the sample articles is posted.
  const site = workerWith(FEDERATING);
  expect((await site.fetch(new Request(`${PUBLIC_URL}/feed.json`))).status).toBe(200);
  await site.settled();
  expect(await DB.prepare("SELECT value FROM fed_meta WHERE key = 'started'").first()).not.toBe(
    null,
  );
});

// A thousand follows written one by one and a round over them: more than the default 5 s on a busy machine.
describe("federation on D1", { timeout: 30_000 }, () => {
  it("queues one new article for 200 servers with 1,000 followers as 200 deliveries of one activity", async () => {
    await follow("ai", 1000, (i) => `/fan/s${i % 200}`);
    const site = workerWith(FEDERATING);
    expect((await put(site, "Fanned out")).status).toBe(201);
    await site.settled();
    const rows = await queuedRows();
    expect(rows).toHaveLength(200);
    expect(new Set(rows.map((row) => row.inbox))).toEqual(
      new Set(Array.from({ length: 200 }, (_, i) => `${inboxes}/fan/s${i}/inbox`)),
    );
    expect(new Set(rows.map((row) => row.activity))).toEqual(
      new Set([
        expect.stringMatching(/^https:\/\/feeds\.example\.com\/ap\/ai\/articles\/.+#create$/),
      ]),
    );
    const [activity] = (await DB.prepare("SELECT body FROM fed_activities").all<{ body: string }>())
      .results;
    expect(JSON.parse(activity.body)).toMatchObject({
      type: "Create",
      object: { name: "Fanned out" },
    });
    await clear();
  });

  it("queues an article once when two isolates' rounds race", async () => {
    await follow("ai", 1, () => "/race");
    // Written by a Worker without federation: the triggers mark it all the same.
    expect((await put(workerWith({}), "Raced")).status).toBe(201);
    const [a, b] = [1, 2].map(() => workerFederation({ db: DB, config, settings: SETTINGS }));
    await Promise.all([a.round(content), b.round(content)]);
    expect((await queuedRows()).map((row) => row.activity)).toEqual([
      expect.stringMatching(/#create$/),
    ]);
    expect(await DB.prepare("SELECT COUNT(*) AS count FROM fed_pending").first()).toEqual({
      count: 0,
    });
    await clear();
  });

  it("sends each delivery once when two deliverers run at the same time", async () => {
    const [a, b] = [1, 2].map(() => delivererAt(Date.now));
    await state.enqueue(
      Array.from({ length: 40 }, (_, i) => delivery(`/claim/${i}/inbox`, "claimed", Date.now())),
    );
    await Promise.all([a.deliver(), b.deliver()]);
    const deliveries = await received("/claim/");
    expect(deliveries).toHaveLength(40);
    expect(new Set(deliveries.map((record) => record.path)).size).toBe(40);
    expect(await queuedRows()).toEqual([]);
  });

  it("tries a failing server again until it answers, then gives up on one that never does", async () => {
    let clock = Date.now();
    const logged: string[] = [];
    const deliverer = delivererAt(() => clock, logged);
    await state.enqueue([
      delivery("/fail-2/inbox", "retried", clock),
      delivery("/refuse/inbox", "retried", clock),
    ]);
    const statuses = async (path: string) => (await received(path)).map((record) => record.status);

    await deliverer.deliver();
    expect(await statuses("/fail-2/")).toEqual([500]);
    // Not due again before its wait is over.
    await deliverer.deliver();
    expect(await statuses("/fail-2/")).toEqual([500]);
    for (let round = 0; round < 2; round++) {
      clock += 1_000;
      await deliverer.deliver();
    }
    expect(await statuses("/fail-2/")).toEqual([500, 500, 202]);
    expect(new Set((await received("/fail-2/")).map((record) => record.activity)).size).toBe(1);

    for (let round = 0; round < 3; round++) {
      clock += 1_000;
      await deliverer.deliver();
    }
    expect((await statuses("/refuse/")).every((status) => status === 500)).toBe(true);
    expect(logged).toEqual([
      expect.stringMatching(/gave up delivering .*\/refuse\/inbox after 6 attempts: HTTP 500/),
    ]);
    expect(await queuedRows()).toEqual([]);
    expect(
      await DB.prepare("SELECT COUNT(*) AS count FROM fed_activities").first<{ count: number }>(),
    ).toEqual({ count: 0 });
  });
});
