/**
 * The last good (200) answer for each URL, kept where a failing store cannot
 * reach it: the isolate's memory (bounded, least recently used out) and the
 * Cache API under a key without the content version, so it outlives
 * publishes. When the store fails, the Worker serves it with its validators:
 * what the feeds' `stale-if-error` promises readers.
 */
import { isNotModified } from "../http/respond.js";
import { notModified } from "./edge-cache.js";

interface Kept {
  body: ArrayBuffer;
  headers: [string, string][];
}

export interface LastGood {
  /** Keeps a GET's 200 answer (the copying runs in `waitUntil`). */
  remember(
    request: Request,
    response: Response,
    waitUntil: (promise: Promise<unknown>) => void,
  ): void;
  /** The kept answer for this URL, as a 200 or, for a matching conditional request, a 304; undefined if none. */
  recall(request: Request): Promise<Response | undefined>;
}

export function lastGoodKey(url: string): string {
  const key = new URL(url);
  key.searchParams.set("__last_good", "1");
  return key.toString();
}

export function createLastGood({
  cache,
  maxEntries = 200,
  maxBytes = 8 * 1024 * 1024,
}: {
  cache?: Pick<Cache, "match" | "put">;
  maxEntries?: number;
  maxBytes?: number;
}): LastGood {
  const kept = new Map<string, Kept>();
  let bytes = 0;
  const keep = (url: string, entry: Kept) => {
    const old = kept.get(url);
    if (old) bytes -= old.body.byteLength;
    kept.delete(url);
    if (entry.body.byteLength > maxBytes) return;
    kept.set(url, entry);
    bytes += entry.body.byteLength;
    for (const [oldUrl, oldEntry] of kept) {
      if (kept.size <= maxEntries && bytes <= maxBytes) break;
      kept.delete(oldUrl);
      bytes -= oldEntry.body.byteLength;
    }
  };
  return {
    remember(request, response, waitUntil) {
      if (request.method !== "GET" || response.status !== 200) return;
      const copy = response.clone();
      waitUntil(
        (async () => {
          const entry = { body: await copy.arrayBuffer(), headers: [...copy.headers] };
          keep(request.url, entry);
          await cache?.put(
            new Request(lastGoodKey(request.url)),
            new Response(entry.body, { headers: entry.headers }),
          );
        })().catch((error) => console.warn("feedloom: last good answer not kept", error)),
      );
    },
    async recall(request) {
      const entry = kept.get(request.url);
      let response = entry
        ? new Response(entry.body, { status: 200, headers: entry.headers })
        : undefined;
      if (!response && cache) {
        try {
          response = await cache.match(new Request(lastGoodKey(request.url)));
        } catch {
          response = undefined; // the cache failing too: nothing to serve
        }
      }
      if (!response) return undefined;
      if (
        isNotModified(
          request.headers,
          response.headers.get("etag"),
          response.headers.get("last-modified"),
        )
      )
        return notModified(response);
      return request.method === "HEAD"
        ? new Response(null, { status: 200, headers: response.headers })
        : response;
    },
  };
}
