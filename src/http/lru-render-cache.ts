/**
 * Rendered bodies kept in memory, bounded by entries and bytes, least
 * recently used out; concurrent misses for one key render once. Pure: Node
 * passes a compressor (see runtime/memory-cache.ts), the Worker keeps plain
 * bodies per isolate, which also covers hosts where the Cache API does nothing.
 */
import type { RenderCache, Rendered } from "./render-cache.js";

export interface LruRenderCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  /** Precompressed variants to keep with each body (Node); none where the platform compresses (Workers). */
  encode?: (body: string) => Rendered["encodings"];
}

export function createLruRenderCache({ maxEntries = 2_000, maxBytes = 256 * 1024 * 1024, encode }: LruRenderCacheOptions = {}): RenderCache & {
  readonly size: number;
  readonly bytes: number;
} {
  const entries = new Map<string, { rendered: Rendered; bytes: number }>();
  /** Renders under way, so that concurrent misses for one key render once. */
  const pending = new Map<string, Promise<Rendered>>();
  let bytes = 0;

  const store = (key: string, rendered: Rendered) => {
    const encoded = rendered.encodings ?? {};
    const size = rendered.body.length * 2 + (encoded.gzip?.byteLength ?? 0) + (encoded.br?.byteLength ?? 0);
    if (size > maxBytes) return;
    entries.set(key, { rendered, bytes: size });
    bytes += size;
    for (const [oldKey, old] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      entries.delete(oldKey);
      bytes -= old.bytes;
    }
  };

  return {
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
    async get(key, render) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit.rendered;
      }
      const inFlight = pending.get(key);
      if (inFlight) return inFlight;
      const promise = render()
        .then((rendered) => {
          const withEncodings = encode ? { ...rendered, encodings: encode(rendered.body) } : rendered;
          store(key, withEncodings);
          return withEncodings;
        })
        .finally(() => pending.delete(key));
      pending.set(key, promise);
      return promise;
    },
  };
}

