/**
 * Cloudflare's Cache API in front of the app. Keys carry the content
 * version, so responses cached before a deploy of other data are never
 * matched again. Where the cache is unavailable (workers.dev, where puts are
 * no-ops, or no `caches` global at all) or fails, requests go to the app.
 *
 * The lookup never carries the client's headers: `cache.match` would answer
 * If-Modified-Since with 304 even when If-None-Match names another tag, which
 * RFC 9110 §13.2.2 forbids. The stored response is checked here instead, by
 * the same rule the app uses.
 */
import { isNotModified } from "../http/respond.js";

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

export async function withEdgeCache(
  request: Request,
  { cache, version, waitUntil }: EdgeCacheOptions,
  handle: (request: Request) => Promise<Response>,
): Promise<Response> {
  if (!cache || request.method !== "GET") return handle(request);
  const key = new Request(edgeCacheKey(request.url, version), { method: "GET" });
  try {
    const hit = await cache.match(key);
    if (hit)
      return isNotModified(
        request.headers,
        hit.headers.get("etag"),
        hit.headers.get("last-modified"),
      )
        ? notModified(hit)
        : hit;
  } catch (error) {
    console.warn("feedloom: edge cache lookup failed; serving from the app", error);
  }
  const response = await handle(request);
  if (response.status === 200) {
    const stored = (async () => cache.put(key, response.clone()))().catch((error) =>
      console.warn("feedloom: edge cache store failed", error),
    );
    waitUntil(stored);
  }
  return response;
}

/** A 304 with the stored response's headers, less those that describe a body. */
export function notModified(stored: Response): Response {
  const headers = new Headers(stored.headers);
  for (const name of ["content-type", "content-length", "content-encoding"]) headers.delete(name);
  return new Response(null, { status: 304, headers });
}
