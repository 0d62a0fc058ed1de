/**
 * The Hono app, built by a function from an index and a config: no module
 * state, no platform API. The Node server, the Worker and the CLIs all call this.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { Config } from "../config.js";
import { providerKey, topicKey } from "../content/keys.js";
import { EPOCH, type FeedFormat, type FeedScope, FORMATS, FORMAT_NAMES, buildFeed, feedPath, feedUrl, queryString } from "../feeds/model.js";
import { renderFeed } from "../feeds/render.js";
import type { ContentIndex, Group } from "../index/index.js";
import { closestKeys } from "../index/query.js";
import { HttpError, clip } from "./errors.js";
import { preflight, respond } from "./headers.js";
import { ICON_PATH, ICON_PNG } from "./icon.js";
import { canonicalSearch, parseFeedQuery } from "./params.js";
import { type Compressor, type RenderCache, bodyEtag, noRenderCache } from "./render-cache.js";
import { sendRendered } from "./respond.js";

export interface AppOptions {
  index: ContentIndex;
  config: Config;
  cache?: RenderCache;
  /** Compresses responses for clients that accept it (Node); Workers leave it to the edge. */
  compressor?: Compressor;
}

const JSON_TYPE = "application/json; charset=utf-8";

export function createApp({ index, config, cache = noRenderCache, compressor }: AppOptions): Hono {
  const app = new Hono();

  app.use(async function readOnly(c, next) {
    if (c.req.method !== "GET" && c.req.method !== "HEAD" && c.req.method !== "OPTIONS") {
      throw new HttpError(405, `${c.req.method} is not supported: this service is read-only; use GET or HEAD`, { Allow: "GET, HEAD, OPTIONS" });
    }
    await next();
  });
  if (config.allowedHosts !== "any") app.use(allowedHostsOnly(config.allowedHosts));

  /** GET (and so HEAD) plus a CORS preflight on the same path: OPTIONS on any other path is a 404. */
  const route = (path: string, handler: (c: Context) => Response | Promise<Response>) => {
    app.get(path, handler);
    app.options(path, preflight);
  };

  const origin = (c: Context) => config.publicUrl ?? originOf(c.req.url);

  /** Renders through the cache, keyed by everything the body depends on. */
  const send = async (c: Context, key: string, render: () => { body: string; contentType: string; updated: string }) => {
    const rendered = await cache.get(`${origin(c)} ${key}`, async () => {
      const { body, contentType, updated } = render();
      return { body, contentType, etag: await bodyEtag(body), lastModified: new Date(updated).toUTCString() };
    });
    return sendRendered(c, rendered, config.cacheMaxAge, compressor);
  };

  const sendFeed = (c: Context, scope: FeedScope, articles: Group["articles"], format: FeedFormat) => {
    const search = searchOf(c.req.url);
    const query = parseFeedQuery(search ? new URLSearchParams(search.slice(1)) : NO_PARAMETERS, config);
    // One URL per feed page, so that the self link always names the URL the feed was fetched from.
    const canonical = canonicalSearch(search, query, config.defaultLimit);
    if (canonical !== search) return respond(null, 301, { Location: `${pathOf(c.req.url)}${canonical}`, "Cache-Control": "public, max-age=86400" });
    const key = `${feedPath(scope)}.${format}${queryString(query, config.defaultLimit)}`;
    return send(c, key, () => {
      const base = origin(c);
      const feed = buildFeed(scope, articles, query, { config, origin: base, defaultIcon: `${base}${ICON_PATH}` });
      if (query.page > feed.pages) throw new HttpError(400, `page: must be from 1 to ${feed.pages} for this feed, got ${query.page}`);
      return { body: renderFeed(feed, format), contentType: FORMATS[format].contentType, updated: feed.updated };
    });
  };

  for (const format of FORMAT_NAMES) {
    const file = `feed.${FORMATS[format].extension}`;
    route(`/${file}`, (c) => sendFeed(c, { kind: "all" }, index.articles, format));
    route(`/topics/:key/${file}`, (c) => {
      const group = findGroup(c, index.topics, "topics", topicKey, `/${file}`);
      return group instanceof Response ? group : sendFeed(c, { kind: "topic", key: group.key, name: group.name }, group.articles, format);
    });
    route(`/providers/:key/${file}`, (c) => {
      const group = findGroup(c, index.providers, "providers", providerKey, `/${file}`);
      if (group instanceof Response) return group;
      const logo = group.articles.find((article) => article.provider.logo)?.provider.logo;
      return sendFeed(c, { kind: "provider", key: group.key, name: group.name, ...(logo ? { logo } : {}) }, group.articles, format);
    });
  }

  const directory = (kind: "topics" | "providers", groups: Map<string, Group>) => (c: Context) =>
    send(c, `/${kind}.json`, () => {
      const entries = [...groups.values()].map((group) => {
        const scope: FeedScope = { kind: kind === "topics" ? "topic" : "provider", key: group.key, name: group.name };
        const at = { origin: origin(c), path: feedPath(scope) };
        return {
          name: group.name,
          key: group.key,
          count: group.articles.length,
          newest: group.articles[0].published,
          feeds: Object.fromEntries(FORMAT_NAMES.map((format) => [format, feedUrl(at, format)])),
        };
      });
      const updated = entries.reduce((newest, entry) => (entry.newest > newest ? entry.newest : newest), EPOCH);
      return { body: `${JSON.stringify({ [kind]: entries })}\n`, contentType: JSON_TYPE, updated };
    });
  route("/topics.json", directory("topics", index.topics));
  route("/providers.json", directory("providers", index.providers));

  route(ICON_PATH, () => respond(ICON_PNG, 200, { "Content-Type": "image/png", "Cache-Control": "public, max-age=604800" }));

  route("/", (c) =>
    send(c, "/", () => {
      const at = { origin: origin(c), path: "/feed" };
      const body = {
        title: config.siteTitle,
        description: config.siteDescription,
        feeds: Object.fromEntries(FORMAT_NAMES.map((format) => [format, feedUrl(at, format)])),
        topics: `${origin(c)}/topics.json`,
        providers: `${origin(c)}/providers.json`,
        articles: index.articles.length,
      };
      return { body: `${JSON.stringify(body, null, 2)}\n`, contentType: JSON_TYPE, updated: index.articles[0]?.published ?? EPOCH };
    }),
  );

  app.notFound((c) => {
    throw new HttpError(
      404,
      `${clip(c.req.path)} is not a feed. Feeds: /feed.rss, /feed.atom, /feed.json, /topics/{topic}/feed.{rss,atom,json}, /providers/{provider}/feed.{rss,atom,json}; lists: /topics.json, /providers.json`,
    );
  });

  app.onError((error, c) => {
    const status = error instanceof HttpError ? error.status : 500;
    const message = error instanceof HttpError ? error.message : "internal error: the feed could not be produced; the server log has the details";
    if (!(error instanceof HttpError)) console.error(`feedloom: ${c.req.method} ${c.req.url}:`, error);
    const headers = { "Cache-Control": "no-store", ...(error instanceof HttpError ? error.headers : {}) };
    return wantsJson(c)
      ? respond(JSON.stringify({ error: { status, message } }), status, { "Content-Type": JSON_TYPE, ...headers })
      : respond(`${status} ${message}\n`, status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  });

  return app;
}

/** The group named by `:key`, a redirect to its canonical key, or a 404 listing the closest keys. */
function findGroup(c: Context, groups: Map<string, Group>, kind: "topics" | "providers", keyOf: (name: string) => string, file: string): Group | Response {
  const asked = c.req.param("key") ?? "";
  const group = groups.get(asked);
  if (group) return group;
  const canonical = keyOf(asked);
  if (groups.has(canonical)) {
    return respond(null, 301, { Location: `/${kind}/${encodeURIComponent(canonical)}${file}${searchOf(c.req.url)}`, "Cache-Control": "public, max-age=86400" });
  }
  const close = closestKeys(asked, groups.keys());
  const noun = kind === "topics" ? "topic" : "provider";
  throw new HttpError(404, `no ${noun} "${clip(asked)}". Closest: ${close.join(", ") || "none"}. All ${kind}: /${kind}.json`);
}

/** String slicing rather than new URL(): these run on every request, and the URL is already well-formed. */
function originOf(url: string): string {
  return url.slice(0, url.indexOf("/", url.indexOf("//") + 2));
}

/** The path as the client wrote it (still percent-encoded). */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const end = url.search(/[?#]/);
  return url.slice(start, end === -1 ? undefined : end);
}

/** "?…" up to any fragment, or "". */
function searchOf(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return "";
  const end = url.indexOf("#", start);
  return url.slice(start, end === -1 ? undefined : end);
}

const NO_PARAMETERS = new URLSearchParams();

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
    const hostAndPort = url.slice(url.indexOf("//") + 2, url.indexOf("/", url.indexOf("//") + 2)).toLowerCase();
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

function wantsJson(c: Context): boolean {
  return c.req.path.endsWith(".json") || (c.req.header("accept") ?? "").includes("json");
}
