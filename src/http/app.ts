/**
 * The Hono app, built by a function from a content store and a config: no
 * module state, no platform API. The Node server, the Worker and the CLIs all
 * call this. Each feature is a module mounted here (feeds.ts, directories.ts).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { Config } from "../config.js";
import { type ItemFragments, renderEveryTime } from "../feeds/fragments.js";
import { type ContentStore, StoreUnavailableError } from "../index/store.js";
import { directoryRoutes } from "./directories.js";
import { HttpError, clip } from "./errors.js";
import { crawlerRoutes } from "./crawlers.js";
import { embedRoutes } from "./embed/routes.js";
import { assetRoutes } from "./assets.js";
import { digestRoutes } from "./digests.js";
import { feedRoutes } from "./feeds.js";
import { opmlRoutes } from "./opml.js";
import { errorPage, pageRoutes } from "./pages/routes.js";
import { articleRoutes } from "./pages/article.js";
import { respond } from "./headers.js";
import {
  type BodyTagger,
  type Compressor,
  type RenderAdmission,
  type RenderCache,
  admitEveryRender,
  bodyEtag,
  noRenderCache,
} from "./render-cache.js";
import { type Advertised, type Site, createSite } from "./site.js";

export interface AppOptions {
  store: ContentStore;
  config: Config;
  cache?: RenderCache;
  /** Compresses responses for clients that accept it (Node); Workers leave it to the edge. */
  compressor?: Compressor;
  /** How bodies get their ETag: Web Crypto by default; Node passes a synchronous SHA-1 that gives the same tags. */
  etag?: BodyTagger;
  /**
   * Where each feed item's rendered markup is kept for reuse (createItemFragments, see feeds/fragments.ts):
   * the Node server, which keeps one across reloads, and the export; not Workers. Default: render every time.
   */
  itemFragments?: ItemFragments;
  /** Whether a cache miss may render now (Node's sheds load past its share with 503); default: always. */
  admission?: RenderAdmission;
  /** Features mounted from below http/ (subscriber statistics), with the state they keep. */
  extensions?: readonly AppExtension[];
}

/** A feature whose state lives outside the app (statistics): it answers routes the URL scheme declares. */
export interface AppExtension {
  install(site: Site): void;
  /** Endpoints the home page names in `<link rel>` for clients to discover (Micropub's). */
  advertises?: readonly Advertised[];
}

const JSON_TYPE = "application/json; charset=utf-8";
/** When a reader should come back after the store failed: long enough for a database blip to pass. */
export const STORE_RETRY_AFTER_SECONDS = 60;

export function createApp({
  store,
  config,
  cache = noRenderCache,
  compressor,
  etag = bodyEtag,
  itemFragments = renderEveryTime,
  admission = admitEveryRender,
  extensions = [],
}: AppOptions): Hono {
  const app = new Hono();
  app.use(async function readOnly(c, next) {
    const method = c.req.method;
    // Reads first: they are every feed request, and need no look at the routes.
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    // A write the URL scheme declares, and a feature installed (site.write): a sign-in form, the API.
    if (matchedRoutes(c).some((route) => route.method === method)) return next();
    throw new HttpError(
      405,
      `${method} is not supported: this service is read-only; use GET or HEAD`,
      { Allow: "GET, HEAD, OPTIONS" },
    );
  });
  if (config.allowedHosts !== "any") app.use(allowedHostsOnly(config.allowedHosts));
  // A preview is not for search engines: every answer says so, refusals too (refused below).
  const forRobots = (response: Response) => {
    if (config.includeUnpublished) response.headers.set("X-Robots-Tag", "noindex");
    return response;
  };
  if (config.includeUnpublished)
    app.use(async function previewIsNotForRobots(c, next) {
      await next();
      forRobots(c.res);
    });

  const site = createSite(app, {
    store,
    config,
    cache,
    compressor,
    etag,
    fragments: itemFragments,
    admission,
    advertised: extensions.flatMap((extension) => extension.advertises ?? []),
  });
  for (const extension of extensions) extension.install(site);
  feedRoutes(site);
  digestRoutes(site);
  directoryRoutes(site);
  pageRoutes(site);
  articleRoutes(site);
  opmlRoutes(site);
  crawlerRoutes(site);
  embedRoutes(site);
  assetRoutes(site);

  app.notFound((c) => {
    if (wantsHtml(c)) return errorPage(site, c);
    const base = config.basePath;
    if (!c.req.path.startsWith(`${base}/`))
      throw new HttpError(
        404,
        `${clip(c.req.path)} is not here: this service answers under ${base}/ (the path of PUBLIC_URL); its home page is ${base}/`,
      );
    throw new HttpError(
      404,
      `${clip(c.req.path)} is not here. Pages: ${base}/, ${base}/topics/, ${base}/providers/; feeds: ${base}/feed.rss, ${base}/feed.atom, ${base}/feed.json, ${base}/topics/{topic}/feed.{rss,atom,json}, ${base}/providers/{provider}/feed.{rss,atom,json}; lists: ${base}/topics.json, ${base}/providers.json, ${base}/feeds.opml`,
    );
  });

  const refusal = (error: Error, c: Context): Response => {
    // A browser gets the site's page, with the closest matches as links; a reader or a script, the text.
    if (error instanceof HttpError && error.status < 500 && wantsHtml(c))
      return errorPage(site, c, error);
    const unavailable = error instanceof StoreUnavailableError;
    const status = error instanceof HttpError ? error.status : unavailable ? 503 : 500;
    const message =
      error instanceof HttpError
        ? error.message
        : unavailable
          ? "the articles cannot be read right now; retry in a minute"
          : "internal error: the feed could not be produced; the server log has the details";
    if (!(error instanceof HttpError))
      console.error(`feedloom: ${c.req.method} ${c.req.url}:`, error);
    // Feed readers retry a 503 after Retry-After, and keep what they had meanwhile.
    const headers = {
      "Cache-Control": "no-store",
      ...(error instanceof HttpError
        ? error.headers
        : unavailable
          ? { "Retry-After": String(STORE_RETRY_AFTER_SECONDS) }
          : {}),
    };
    return wantsJson(c)
      ? respond(JSON.stringify({ error: { status, message } }), status, {
          "Content-Type": JSON_TYPE,
          ...headers,
        })
      : respond(`${status} ${message}\n`, status, {
          "Content-Type": "text/plain; charset=utf-8",
          ...headers,
        });
  };
  app.onError((error, c) => forRobots(refusal(error, c)));

  return app;
}

/**
 * Without PUBLIC_URL, links are built from the request's origin: a request for
 * a host not listed would get feeds whose every link points at that host (and
 * fill the render cache with copies). Listed hosts match with any port unless
 * the entry names one.
 */
function allowedHostsOnly(hosts: readonly string[]) {
  const allowed = new Set(hosts);
  return async function allowedHost(c: Context, next: () => Promise<void>) {
    const url = c.req.url;
    const hostAndPort = url
      .slice(url.indexOf("//") + 2, url.indexOf("/", url.indexOf("//") + 2))
      .toLowerCase();
    const host = hostAndPort.replace(/:\d+$/, "");
    if (!allowed.has(hostAndPort) && !allowed.has(host)) {
      throw new HttpError(
        421,
        `host "${clip(hostAndPort)}" is not served here: set PUBLIC_URL to this service's public origin (e.g. https://feeds.example.com), or add the host to ALLOWED_HOSTS`,
      );
    }
    await next();
  };
}

/** A browser's navigation (Accept names text/html), and not a file of another kind. */
function wantsHtml(c: Context): boolean {
  return (
    (c.req.header("accept") ?? "").includes("text/html") &&
    !/\.(?:json|rss|atom|xml|opml|txt|js|css)$/.test(c.req.path)
  );
}

function wantsJson(c: Context): boolean {
  return c.req.path.endsWith(".json") || (c.req.header("accept") ?? "").includes("json");
}
