/**
 * Node's render cache: each body is rendered and compressed once (gzip and
 * brotli), then served from memory. Compressing per request would cost far
 * more than rendering.
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { type LruRenderCacheOptions, createLruRenderCache } from "../http/lru-render-cache.js";
import type { Rendered } from "../http/render-cache.js";

export function createMemoryRenderCache(options: Omit<LruRenderCacheOptions, "encode"> = {}) {
  return createLruRenderCache({ ...options, encode: compress });
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
