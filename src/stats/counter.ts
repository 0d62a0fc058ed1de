/**
 * Counting one response to a feed request, after it was sent: what the Node
 * server and the Worker call for each request (docs/statistics.md). A reader
 * already counted today, or an aggregator's unchanged count, costs a lookup
 * in memory and writes nothing; otherwise the store is told, once.
 */
import { addDays, classifyClient, countedFeedPath, dayOf } from "./clients.js";
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

const utf8 = new TextEncoder();

export function createStatsCounter(store: StatsStore, basePath: string) {
  let today = "";
  /** What this process counted today: `path \n address \n agent` of readers, claims by service and feed-id. Memory only, never written. */
  let counted = new Set<string>();
  let claims = new Map<string, number>();
  let readersPerFeed = new Map<string, number>();
  let keys: Promise<Map<string, CryptoKey>> | undefined;
  let maintained: Promise<void> = Promise.resolve();

  const newDay = (day: string) => {
    today = day;
    counted = new Set();
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
        [...raw].map(async ([keyDay, key]) => [keyDay, await crypto.subtle.importKey("raw", Uint8Array.from(atob(key), (c) => c.charCodeAt(0)), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])] as const),
      );
      return new Map(imported);
    })());

  return {
    async count(request: FeedRequest): Promise<void> {
      if (request.status !== 200 && request.status !== 304) return;
      const path = countedFeedPath(request.path, basePath);
      if (path === undefined) return;
      const client = classifyClient(request.userAgent);
      if (client.kind === "browser" || client.kind === "crawler") return;
      const day = dayOf(request.at);
      if (day !== today) newDay(day);
      if (client.kind === "aggregator") {
        const key = `${path}\n${client.service}\n${client.feedId}`;
        if (claims.get(key) === client.subscribers) return;
        claims.set(key, client.subscribers);
        await maintained;
        return store.recordClaim(day, path, client.service, client.feedId, client.subscribers);
      }
      if (request.address === undefined) return;
      const seen = `${path}\n${request.address}\n${request.userAgent ?? ""}`;
      if (counted.has(seen)) return;
      if (counted.size >= MEMO_LIMIT) counted.clear();
      counted.add(seen);
      const readers = readersPerFeed.get(path) ?? 0;
      if (readers >= MAX_READERS_PER_FEED_DAY) return;
      readersPerFeed.set(path, readers + 1);
      await maintained;
      const dayKeys = await keysOf(day);
      const hashes = new Map<string, number>();
      for (let back = 0; back < WINDOW_DAYS; back++) {
        const keyDay = addDays(day, -back);
        const key = dayKeys.get(keyDay);
        if (key) hashes.set(keyDay, await readerHash(key, path, request.address, request.userAgent ?? ""));
      }
      await store.recordReader(day, path, hashes);
    },
  };
}

export type StatsCounter = ReturnType<typeof createStatsCounter>;

/**
 * 24 bits of an HMAC of feed, address and User-Agent: enough to tell a day's
 * readers apart (two of 10,000 collide about 3 times), too few to name an
 * address even with the key (each value fits about 256 IPv4 addresses).
 */
async function readerHash(key: CryptoKey, path: string, address: string, userAgent: string): Promise<number> {
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(`${path}\n${address}\n${userAgent}`)));
  return (mac[0] << 16) | (mac[1] << 8) | mac[2];
}
