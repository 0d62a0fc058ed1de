/**
 * Node's render cache: each body is rendered and compressed once (gzip and
 * brotli), then served from memory. Compressing per request would cost far
 * more than rendering. Bounded by entries and bytes, least recently used out.
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { RenderCache, Rendered } from "../http/render-cache.js";

export interface MemoryCacheOptions {
  maxEntries?: number;
  maxBytes?: number;
}

export function createMemoryRenderCache({ maxEntries = 2_000, maxBytes = 256 * 1024 * 1024 }: MemoryCacheOptions = {}): RenderCache & {
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
          const withEncodings = { ...rendered, encodings: compress(rendered.body) };
          store(key, withEncodings);
          return withEncodings;
        })
        .finally(() => pending.delete(key));
      pending.set(key, promise);
      return promise;
    },
  };
}

function compress(body: string): Rendered["encodings"] {
  const input = Buffer.from(body, "utf8");
  return {
    gzip: gzipSync(input, { level: 9 }),
    br: brotliCompressSync(input, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: input.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    }),
  };
}
