/**
 * The Worker's fetch handler around a content bundle. The index is built once
 * per isolate, when the module loads; the config is read from the Worker's
 * vars on the first request (they are not visible before).
 */
import type { ExecutionContext, Hono } from "hono";
import { loadConfig } from "../config.js";
import { createApp } from "../http/app.js";
import { createMemoryStore } from "../index/store.js";
import { createLruRenderCache } from "../http/lru-render-cache.js";
import { type ContentBundle, indexFromBundle } from "../runtime/bundle.js";
import { withEdgeCache } from "../runtime/edge-cache.js";

type Env = Record<string, string | undefined>;

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value === "string" && value !== ""));
}

/** `cacheRenders: false` renders every request (the bench uses it to time a render inside workerd). */
export function createWorker(bundleJson: string, { cacheRenders = true } = {}) {
  const bundle = JSON.parse(bundleJson) as ContentBundle;
  const index = indexFromBundle(bundle);
  // Per isolate; the Cache API in front serves most repeats, this covers the rest (and workers.dev).
  const renderCache = cacheRenders ? createLruRenderCache({ maxEntries: 500, maxBytes: 32 * 1024 * 1024 }) : undefined;
  const edgeCache = typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
  let app: Hono | undefined;
  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      // Cloudflare routes a request to this Worker by its host, so the host is trusted unless ALLOWED_HOSTS says otherwise.
      app ??= createApp({ store: createMemoryStore(index, bundle.version), config: loadConfig({ ALLOWED_HOSTS: "*", ...definedOnly(env) }), cache: renderCache });
      return withEdgeCache(request, { cache: edgeCache, version: bundle.version, waitUntil: (promise) => ctx.waitUntil(promise) }, (req) =>
        Promise.resolve(app!.fetch(req, env, ctx)),
      );
    },
  };
}
