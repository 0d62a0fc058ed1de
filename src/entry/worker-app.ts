/**
 * The Worker's fetch handler. Content comes from Cloudflare D1 when the
 * Worker has a `DB` binding (wrangler.toml), else from the content bundle the
 * build wrote. The bundle's index is built once per isolate, when the module
 * loads; the config is read from the Worker's vars on the first request (they
 * are not visible before).
 */
import type { ExecutionContext, Hono } from "hono";
import { loadConfig } from "../config.js";
import { createApp } from "../http/app.js";
import { createLruRenderCache } from "../http/lru-render-cache.js";
import { CONTENT_VERSION_ENV } from "../http/site.js";
import { type ContentStore, createMemoryStore } from "../index/store.js";
import { type ContentBundle, indexFromBundle } from "../sources/bundle.js";
import { type D1Like, createD1Store } from "../sources/d1-store.js";
import { publishingClock } from "../runtime/clock.js";
import { withEdgeCache } from "../runtime/edge-cache.js";

type Env = Record<string, unknown> & { DB?: D1Like };

/** The string vars, set ones only: what loadConfig reads. */
function varsOf(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""));
}

/** `cacheRenders: false` renders every request (the bench uses it to time a render inside workerd). */
export function createWorker(bundleJson: string, { cacheRenders = true } = {}) {
  const bundle = JSON.parse(bundleJson) as ContentBundle;
  // Scheduled articles ship in the bundle and go out, each at its time, for the first request after it.
  const bundleStore = createMemoryStore(indexFromBundle(bundle), bundle.version, { now: publishingClock({ includeUnpublished: bundle.preview === true }) });
  // Per isolate; the Cache API in front serves most repeats, this covers the rest (and workers.dev).
  const renderCache = cacheRenders ? createLruRenderCache({ maxEntries: 500, maxBytes: 32 * 1024 * 1024 }) : undefined;
  const edgeCache = typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
  let app: Hono | undefined;
  let store: ContentStore | undefined;
  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      if (!app || !store) {
        // Cloudflare routes a request to this Worker by its host, so the host is trusted unless ALLOWED_HOSTS says otherwise.
        const config = loadConfig({ ALLOWED_HOSTS: "*", ...varsOf(env) });
        store = env.DB ? createD1Store(env.DB, { now: publishingClock(config) }) : bundleStore;
        app = createApp({ store, config, cache: renderCache });
      }
      // Read per request: after a publish to D1 the next request already keys the edge cache by the new version.
      const version = await store.version();
      // The app gets the version too, so that it does not read it again.
      const appEnv = { ...env, [CONTENT_VERSION_ENV]: version };
      return withEdgeCache(request, { cache: edgeCache, version, waitUntil: (promise) => ctx.waitUntil(promise) }, (req) => Promise.resolve(app!.fetch(req, appEnv, ctx)));
    },
  };
}
