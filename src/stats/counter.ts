/**
 * Counting one response to a feed request, after it was sent: what the Node
 * server and the Worker call for each request (docs/statistics.md). A reader
 * already counted today, or an aggregator's unchanged count, costs a lookup
 * in memory and writes nothing; otherwise the store is told, once.
 */
import { type Client, addDays, classifyClient, countedFeedPath, dayOf } from "./clients.js";
import { type StatsStore, WINDOW_DAYS } from "./store.js";

export interface FeedRequest {
  /** The request's path, still under the base path, without its query. */
  path: string;
  status: number;
  userAgent: string | undefined;
  /** The client's address, as the platform knows it (socket, CF-Connecting-IP, a trusted proxy's header). */
  address: string | undefined;
  /** When it was answered (ms). */
  at: number;
}

/** Readers of one feed stored per day at most: more are not counted, so a flood cannot grow the store without end. */
export const MAX_READERS_PER_FEED_DAY = 200_000;
/** Entries of today's in-memory "already counted" set; past this it is cleared (and repeats hit the store, which ignores them). */
const MEMO_LIMIT = 100_000;
/** Aggregators' User-Agents remembered per feed: a spoofer varying its count cannot grow memory past this. */
const MAX_FEED_AGENTS = 100;
/** Distinct User-Agents whose classification is remembered. */
const CLIENT_MEMO_LIMIT = 1_000;

const utf8 = new TextEncoder();

export function createStatsCounter(store: StatsStore, basePath: string) {
  let today = "";
  /**
   * What this process counted today, by feed then by client (nested, so that a
   * repeat builds no key): readers by address and User-Agent, aggregators'
   * counts by User-Agent. Memory only, never written.
   */
  let counted = new Map<string, Map<string, Set<string>>>();
  let countedSize = 0;
  let claims = new Map<string, Map<string, Client & { kind: "aggregator" }>>();
  let readersPerFeed = new Map<string, number>();
  let keys: Promise<Map<string, CryptoKey>> | undefined;
  let maintained: Promise<void> = Promise.resolve();

  const newDay = (day: string) => {
    today = day;
    counted = new Map();
    countedSize = 0;
    claims = new Map();
    readersPerFeed = new Map();
    keys = undefined;
    // Closed days become totals, expired hashes and keys go, before today's first write.
    maintained = store.maintain(day);
  };

  const keysOf = (day: string): Promise<Map<string, CryptoKey>> =>
    (keys ??= (async () => {
      const raw = await store.keys(day);
      const imported = await Promise.all(
        [...raw].map(
          async ([keyDay, key]) =>
            [
              keyDay,
              await crypto.subtle.importKey(
                "raw",
                Uint8Array.from(atob(key), (c) => c.charCodeAt(0)),
                { name: "HMAC", hash: "SHA-256" },
                false,
                ["sign"],
              ),
            ] as const,
        ),
      );
      return new Map(imported);
    })());

  /** UTC midnight that ends `today` (ms): a request before it needs no date arithmetic. */
  let todayEnds = 0;
  /** Classifications by User-Agent: a server sees few distinct ones, and each request would run every pattern. */
  const clients = new Map<string, Client>();
  const classify = (userAgent: string | undefined) => {
    const agent = userAgent ?? "";
    let client = clients.get(agent);
    if (client === undefined) {
      if (clients.size >= CLIENT_MEMO_LIMIT) clients.clear();
      clients.set(agent, (client = classifyClient(userAgent)));
    }
    return client;
  };

  const recordReader = async (day: string, path: string, address: string, userAgent: string) => {
    await maintained;
    const dayKeys = await keysOf(day);
    const hashes = new Map<string, number>();
    for (let back = 0; back < WINDOW_DAYS; back++) {
      const keyDay = addDays(day, -back);
      const key = dayKeys.get(keyDay);
      if (key) hashes.set(keyDay, await readerHash(key, path, address, userAgent));
    }
    await store.recordReader(day, path, hashes);
  };

  return {
    /**
     * Counts one response. Synchronous up to the point where the store must
     * be told: a repeat (most requests) returns undefined without allocating
     * a promise; otherwise the returned promise is the store's write.
     */
    count(request: FeedRequest): Promise<void> | undefined {
      if (request.status !== 200 && request.status !== 304) return undefined;
      const path = countedFeedPath(request.path, basePath);
      if (path === undefined) return undefined;
      const client = classify(request.userAgent);
      if (client.kind === "browser" || client.kind === "crawler") return undefined;
      if (request.at >= todayEnds || request.at < todayEnds - 86_400_000) {
        newDay(dayOf(request.at));
        todayEnds = Date.parse(`${today}T00:00:00Z`) + 86_400_000;
      }
      const day = today;
      const userAgent = request.userAgent ?? "";
      if (client.kind === "aggregator") {
        let feedClaims = claims.get(path);
        if (feedClaims === undefined) claims.set(path, (feedClaims = new Map()));
        // The User-Agent names the service, the feed-id and the count: the same one is the same claim.
        if (feedClaims.has(userAgent)) return undefined;
        if (feedClaims.size >= MAX_FEED_AGENTS) feedClaims.clear();
        // The service's earlier claims for this feed-id are superseded: the same count again later is news again.
        for (const [agent, earlier] of feedClaims)
          if (earlier.service === client.service && earlier.feedId === client.feedId)
            feedClaims.delete(agent);
        feedClaims.set(userAgent, client);
        return maintained.then(() =>
          store.recordClaim(day, path, client.service, client.feedId, client.subscribers),
        );
      }
      if (request.address === undefined) return undefined;
      let byAddress = counted.get(path);
      if (byAddress === undefined) counted.set(path, (byAddress = new Map()));
      let agents = byAddress.get(request.address);
      if (agents === undefined) byAddress.set(request.address, (agents = new Set()));
      if (agents.has(userAgent)) return undefined;
      if (countedSize >= MEMO_LIMIT) {
        counted = new Map();
        countedSize = 0;
      }
      agents.add(userAgent);
      countedSize++;
      const readers = readersPerFeed.get(path) ?? 0;
      if (readers >= MAX_READERS_PER_FEED_DAY) return undefined;
      readersPerFeed.set(path, readers + 1);
      return recordReader(day, path, request.address, userAgent);
    },
  };
}

export type StatsCounter = ReturnType<typeof createStatsCounter>;

/**
 * 24 bits of an HMAC of feed, address and User-Agent: enough to tell a day's
 * readers apart (two of 10,000 collide about 3 times), too few to name an
 * address even with the key (each value fits about 256 IPv4 addresses).
 */
async function readerHash(
  key: CryptoKey,
  path: string,
  address: string,
  userAgent: string,
): Promise<number> {
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, utf8.encode(`${path}\n${address}\n${userAgent}`)),
  );
  return (mac[0] << 16) | (mac[1] << 8) | mac[2];
}
