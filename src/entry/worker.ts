/**
 * Cloudflare Workers entry. The index is built once per isolate, at module
 * load, from the bundle that npm run build generated; the config is read from
 * the Worker's vars on the first request (they are not visible before).
 */
import { bundle } from "feedloom-content";
import type { ExecutionContext, Hono } from "hono";
import { loadConfig } from "../config.js";
import { createApp } from "../http/app.js";
import { indexFromBundle } from "../runtime/bundle.js";
import { withEdgeCache } from "../runtime/edge-cache.js";

const index = indexFromBundle(bundle);
let app: Hono | undefined;

type Env = Record<string, string | undefined>;

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    app ??= createApp({ index, config: loadConfig(env) });
    const cache = typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
    return withEdgeCache(request, { cache, version: bundle.version, waitUntil: (promise) => ctx.waitUntil(promise) }, (req) =>
      Promise.resolve(app!.fetch(req, env, ctx)),
    );
  },
};
