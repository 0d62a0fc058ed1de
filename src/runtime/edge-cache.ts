/**
 * Cloudflare's Cache API in front of the app. Keys carry the content
 * version, so responses cached before a deploy of other data are never
 * matched again. Where the cache is unavailable (workers.dev, where puts are
 * no-ops, or no `caches` global at all) or fails, requests go to the app.
 */
export interface EdgeCacheOptions {
  /** `caches.default`, or undefined where there is none. */
  cache: Pick<Cache, "match" | "put"> | undefined;
  version: string;
  waitUntil: (promise: Promise<unknown>) => void;
}

export function edgeCacheKey(url: string, version: string): string {
  const key = new URL(url);
  key.searchParams.set("__content", version);
  return key.toString();
}

export async function withEdgeCache(request: Request, { cache, version, waitUntil }: EdgeCacheOptions, handle: (request: Request) => Promise<Response>): Promise<Response> {
  if (!cache || request.method !== "GET") return handle(request);
  // The client's headers ride along, so the cache itself answers If-None-Match with 304.
  const key = new Request(edgeCacheKey(request.url, version), { method: "GET", headers: request.headers });
  try {
    const hit = await cache.match(key);
    if (hit) return hit;
  } catch (error) {
    console.warn("feedloom: edge cache lookup failed; serving from the app", error);
  }
  const response = await handle(request);
  if (response.status === 200) {
    const stored = (async () => cache.put(key, response.clone()))().catch((error) => console.warn("feedloom: edge cache store failed", error));
    waitUntil(stored);
  }
  return response;
}
