/**
 * The app as the Node server runs it, for one set of articles: a render cache
 * of its own (what an older one held can never be asked for again),
 * compression, synchronous ETags, and what outlives a reload passed in (item
 * markup, render admission). The bench builds its server with this too.
 */
import type { Hono } from "hono";
import type { Config } from "../config.js";
import type { ItemFragments } from "../feeds/fragments.js";
import { type AppExtension, createApp } from "../http/app.js";
import { createLruRenderCache } from "../http/lru-render-cache.js";
import type { RenderAdmission } from "../http/render-cache.js";
import type { ContentStore } from "../index/store.js";
import { zlibCompressor } from "./compression.js";
import { nodeBodyEtag } from "./etag.js";

export function createNodeApp(options: {
  store: ContentStore;
  config: Config;
  itemFragments: ItemFragments;
  admission?: RenderAdmission;
  extensions?: readonly AppExtension[];
}): Hono {
  return createApp({
    ...options,
    cache: createLruRenderCache({ admitOnSecondRequest: true }),
    compressor: zlibCompressor,
    etag: nodeBodyEtag,
  });
}
