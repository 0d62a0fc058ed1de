/**
 * Rendered bodies kept in memory, bounded by entries and bytes, least
 * recently used out; concurrent misses for one key render once. Pure: Node and
 * the Worker (per isolate, which also covers hosts where the Cache API does
 * nothing) both use it.
 */
import type { RenderCache, Rendered } from "./render-cache.js";

export interface LruRenderCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
  /**
   * Keep a body only when its key is asked for the second time (a "doorkeeper"):
   * one-off URLs (a crawler walking ?page=, random ?q=) then never push out the
   * feeds readers poll, nor fill the heap with bodies no one asks for again.
   */
  admitOnSecondRequest?: boolean;
}

/** Keys seen once, remembered up to this many (then forgotten together: a cheap, bounded doorkeeper). */
const DOORKEEPER_SIZE = 10_000;

/**
 * Bytes an entry holds, estimated, per byte of its body: the body, and room
 * for the compressed variants made for it later (see respond.ts).
 */
const BYTES_PER_BODY_BYTE = 2;

export function createLruRenderCache({
  maxEntries = 2_000,
  maxBytes = 256 * 1024 * 1024,
  admitOnSecondRequest = false,
}: LruRenderCacheOptions = {}): RenderCache & {
  readonly size: number;
  readonly bytes: number;
} {
  const entries = new Map<string, { rendered: Rendered; bytes: number }>();
  /** Renders under way, so that concurrent misses for one key render once. */
  const pending = new Map<string, Promise<Rendered>>();
  const seenOnce = new Set<string>();
  let bytes = 0;

  const admitted = (key: string) => {
    if (!admitOnSecondRequest || seenOnce.delete(key)) return true;
    if (seenOnce.size >= DOORKEEPER_SIZE) seenOnce.clear();
    seenOnce.add(key);
    return false;
  };

  const store = (key: string, rendered: Rendered) => {
    const size = rendered.body.byteLength * BYTES_PER_BODY_BYTE;
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
          if (admitted(key)) store(key, rendered);
          return rendered;
        })
        .finally(() => pending.delete(key));
      pending.set(key, promise);
      return promise;
    },
  };
}
