/**
 * Federation's delivery rate (`npm run bench -- federation`): 1,000 followers
 * on 200 servers (one local node:http server answering 202, each path prefix
 * one server), then ten new articles at once: 2,000 signed POSTs through the
 * public-only fetch, timed until the queue is empty. Each delivery is signed
 * apart (its Date and Digest are its own), so the figure includes RSA signing.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../src/config.js";
import type { Article } from "../src/content/article.js";
import { DELIVERY_POLICY } from "../src/federation/delivery.js";
import { type Federation, ephemeralFederation } from "../src/federation/federation.js";
import type { FederationState } from "../src/federation/state.js";
import { publicOnlyFetch } from "../src/federation/node-fetch.js";
import { createMemoryStore } from "../src/index/store.js";
import { buildIndex } from "../src/index/index.js";

const FOLLOWERS = 1_000;
const SERVERS = 200;
const ARTICLES = 10;

/** Federation as the bench's servers install it: in memory, delivering anywhere (loopback included). */
export function benchFederation(): Promise<Federation<FederationState>> {
  return ephemeralFederation({
    config: { ...loadConfig({}), publicUrl: "https://feeds.example.org" },
    fetcher: publicOnlyFetch({ allowInsecure: true }),
    log: () => {},
  });
}

const articleAt = (n: number): Article => ({
  id: `urn:uuid:00000000-0000-5000-8000-${String(n).padStart(12, "0")}`,
  file: `bench-${n}.md`,
  title: `Federated bench article ${n}`,
  summary: "For the delivery figure.",
  published: new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, "Z"),
  url: `https://bench.example.com/${n}`,
  provider: { name: "Bench", domain: "bench.example.com" },
  topics: ["AI"],
  related: [],
  isPublished: true,
});

/** Follower servers: one local node:http server answering 202, each path prefix one server; it counts the POSTs. */
export async function countingInboxes(): Promise<{
  origin: string;
  received: () => number;
  close: () => void;
}> {
  let received = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received++;
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received: () => received,
    close: () => server.close(),
  };
}

export async function deliveryFigures(): Promise<void> {
  const inboxes = await countingInboxes();
  const { origin } = inboxes;
  try {
    const federation = await benchFederation();
    const store = createMemoryStore(buildIndex([]), "bench", { now: Date.now });
    for (let n = 0; n < FOLLOWERS; n++) {
      const at = `${origin}/s${n % SERVERS}`;
      federation.options.state.follow({
        account: "feed",
        actor: `${at}/users/${n}`,
        inbox: `${at}/users/${n}/inbox`,
        sharedInbox: `${at}/inbox`,
        follow: `${at}/follows/${n}`,
        since: new Date().toISOString(),
      });
    }
    await federation.publish(store, []);
    const started = performance.now();
    const queued = await federation.publish(
      store,
      Array.from({ length: ARTICLES }, (_, n) => articleAt(n)),
    );
    await federation.deliverer.idle();
    const seconds = (performance.now() - started) / 1000;
    federation.close();
    console.log(
      `\nfederation: ${ARTICLES} new articles to ${FOLLOWERS} followers on ${SERVERS} servers: ${queued} deliveries (${inboxes.received()} received) in ${seconds.toFixed(2)} s: ${(inboxes.received() / seconds).toFixed(0)} deliveries/s, signed one by one, ${DELIVERY_POLICY.concurrency} in flight`,
    );
  } finally {
    inboxes.close();
  }
}
