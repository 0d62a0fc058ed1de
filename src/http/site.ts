/**
 * What every feature module gets from the app: the store, the configuration,
 * and the one shared step that renders through the cache and sends with
 * validators (RSSHub's idea: routes produce data, one step renders and sets
 * the headers). Features answer the routes the URL scheme declares
 * (scheme/routes.ts) with `route`, never a path of their own: it registers
 * each of the route's patterns, and the CORS preflight for those only.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Config } from "../config.js";
import type { ItemFragments } from "../feeds/fragments.js";
import { currentDayKey } from "../index/digest.js";
import type { ContentStore } from "../index/store.js";
import type { Route, WriteMethod } from "../scheme/routes.js";
import { permanentRedirect, preflight } from "./headers.js";
import type { BodyTagger, Compressor, RenderAdmission, RenderCache } from "./render-cache.js";
import { sendRendered } from "./respond.js";

/**
 * Where a caller that has already read this request's content version (the
 * Worker, for its edge-cache key) passes it to the app (in Hono's env), so that
 * D1 is asked once per request, not twice.
 */
export const CONTENT_VERSION_ENV = "feedloomContentVersion";

const utf8 = new TextEncoder();

export interface RenderedBody {
  body: string;
  contentType: string;
  /** Newest date the body shows: Last-Modified. */
  updated: string;
  /** Headers of its own (they win over the defaults): Link, Content-Security-Policy, Vary. */
  headers?: Record<string, string>;
}

/** An endpoint the home page names for discovery: `<link rel="micropub" href="…/micropub">`. */
export interface Advertised {
  rel: string;
  /** Under the base path. */
  path: string;
}

export interface Site {
  store: ContentStore;
  config: Config;
  /** What the installed extensions ask the home page to advertise. */
  advertised: readonly Advertised[];
  /** Where feed items' rendered markup is kept for reuse, or not (AppOptions.itemFragments). */
  fragments: ItemFragments;
  /** This service's origin for links: PUBLIC_URL, else the request's (its host already allowed). */
  origin(c: Context): string;
  /**
   * Answers a declared route: GET (and so HEAD) on each of its patterns (under the base path), with
   * what the pattern tells the handler, plus a CORS preflight there unless the route is guarded
   * (OPTIONS elsewhere is a 404).
   */
  route<Data>(declared: Route<Data>, handler: Handler<Data>): void;
  /**
   * Another representation on a declared route's GET, for the requests `wanted` picks (an
   * ActivityPub actor on a feed's page): asked before the route's own handler, which answers the
   * rest with `Vary: Accept`, so that no cache hands one representation to the other's client.
   */
  alternate<Data>(
    declared: Route<Data>,
    wanted: (c: Context) => boolean,
    handler: Handler<Data>,
  ): void;
  /** Answers a route's declared write (a form's POST) on each of its patterns, after its guards (a body limit). */
  write<Data>(
    declared: Route<Data>,
    method: WriteMethod,
    guard: MiddlewareHandler,
    handler: Handler<Data>,
  ): void;
  /** A 301 to a path of this site (the base path is added). */
  redirect(path: string): Response;
  /** That redirect, unless the request is already at `canonical` (path and query). */
  redirectUnlessAt(c: Context, canonical: string): Response | undefined;
  /** Renders at most once per content version, day (digests close at midnight), origin and key, then answers with validators and negotiation. */
  send(c: Context, key: string, render: () => Promise<RenderedBody>): Promise<Response>;
}

type Handler<Data> = (c: Context, data: Data) => Response | Promise<Response>;

export function createSite(
  app: Hono,
  options: {
    store: ContentStore;
    config: Config;
    cache: RenderCache;
    compressor?: Compressor;
    etag: BodyTagger;
    fragments: ItemFragments;
    admission: RenderAdmission;
    advertised: readonly Advertised[];
  },
): Site {
  const { store, config, cache, compressor, etag, fragments, admission, advertised } = options;
  // Without PUBLIC_URL, the base path is the one feedloom() was mounted at.
  const origin = (c: Context) => config.publicUrl ?? `${originOf(c.req.url)}${config.basePath}`;
  const redirect = (path: string) => permanentRedirect(`${config.basePath}${path}`);
  return {
    store,
    config,
    advertised,
    fragments,
    origin,
    // The base path is added here rather than by mounting with app.route(): Hono joins "/news" and "/" into "/news", and the home page is "/news/".
    route(declared, handler) {
      for (const { path, data } of declared.patterns) {
        app.get(`${config.basePath}${path}`, (c) => handler(c, data));
        if (!declared.guarded) app.options(`${config.basePath}${path}`, preflight);
      }
    },
    alternate(declared, wanted, handler) {
      for (const { path, data } of declared.patterns)
        app.get(`${config.basePath}${path}`, async (c, next) => {
          if (wanted(c)) return handler(c, data);
          await next();
          c.res.headers.append("Vary", "Accept");
        });
    },
    write(declared, method, guard, handler) {
      if (!declared.writes?.includes(method))
        throw new Error(`the URL scheme declares no ${method} for ${declared.patterns[0].path}`);
      for (const { path, data } of declared.patterns)
        app.on(method, `${config.basePath}${path}`, guard, (c) => handler(c, data));
    },
    redirect,
    redirectUnlessAt: (c, canonical) =>
      `${config.basePath}${canonical}` === `${pathOf(c.req.url)}${searchOf(c.req.url)}`
        ? undefined
        : redirect(canonical),
    async send(c, key, render) {
      const known = (c.env as Record<string, unknown> | undefined)?.[CONTENT_VERSION_ENV];
      const version = typeof known === "string" ? known : await store.version();
      // Digests, and the pages that link them, change when a day closes in DIGEST_TIMEZONE, content or not.
      const day = currentDayKey(store.instant(), config.digestTimeZone);
      const rendered = await cache.get(`${version}@${day} ${origin(c)} ${key}`, async () => {
        const { body, contentType, updated, headers } = await admission.run(render);
        const bytes = utf8.encode(body);
        return {
          body: bytes,
          contentType,
          etag: await etag(bytes),
          lastModified: new Date(updated).toUTCString(),
          ...(headers ? { headers } : {}),
        };
      });
      return sendRendered(c, rendered, config.cacheMaxAge, compressor);
    },
  };
}

/** String slicing rather than new URL(): these run on every request, and the URL is already well-formed. */
export function originOf(url: string): string {
  return url.slice(0, url.indexOf("/", url.indexOf("//") + 2));
}

/** The path as the client wrote it (still percent-encoded). */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.search(/[?#]/);
  return url.slice(start, end === -1 ? undefined : end);
}

/** "?…" up to any fragment, or "". */
export function searchOf(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return "";
  const end = url.indexOf("#", start);
  return url.slice(start, end === -1 ? undefined : end);
}
