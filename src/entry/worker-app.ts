/**
 * The Worker's fetch handler. Content comes from Cloudflare D1 when the
 * Worker has a `DB` binding (wrangler.toml), else from the content bundle the
 * build wrote. The bundle's index is built once per isolate, when the module
 * loads; the config is read from the Worker's vars on the first request (they
 * are not visible before).
 */
import type { Context, ExecutionContext, Hono } from "hono";
import { d1ArticleFiles, recentWrites } from "../api/d1-articles.js";
import { apiRoutes } from "../api/routes.js";
import { apiUnavailable } from "../api/unavailable.js";
import {
  type ApiConfig,
  type Config,
  ConfigError,
  type FederationConfig,
  loadApiConfig,
  loadConfig,
  loadFederationConfig,
  loadStatsConfig,
} from "../config.js";
import { acceptsActivity } from "../federation/negotiation.js";
import type { WorkerFederation } from "../federation/workers.js";
import type { AppExtension } from "../http/app.js";
import { STORE_RETRY_AFTER_SECONDS, createApp } from "../http/app.js";
import { respond } from "../http/headers.js";
import { createLruRenderCache } from "../http/lru-render-cache.js";
import { CONTENT_VERSION_ENV, pathOf } from "../http/site.js";
import { currentDayKey } from "../index/digest.js";
import { type ContentStore, createMemoryStore, scopesOf } from "../index/store.js";
import {
  announceChanges,
  announceFeedPaths,
  closedDigestFeedPaths,
  feedPathsOf,
} from "../publish/announce.js";
import { type ContentBundle, indexFromBundle } from "../sources/bundle.js";
import { type D1Like, createD1Store } from "../sources/d1-store.js";
import { publishingTime } from "../runtime/clock.js";
import { withEdgeCache } from "../runtime/edge-cache.js";
import { mountedAt } from "./mount.js";
import { createLastGood } from "../runtime/last-good.js";
import { type StatsCounter, createStatsCounter } from "../stats/counter.js";
import { d1Database } from "../stats/d1.js";
import { statsRoutes } from "../stats/routes.js";
import { createStatsStore } from "../stats/store.js";
import { ROUTES, patternMatcher, patternsWhere } from "../scheme/routes.js";

type Env = Record<string, unknown>;

/** The operator's routes (statistics), as the URL scheme marks them. */
const isGuarded = patternMatcher(patternsWhere("guarded"));
/** What never changes once it exists (complete archives, hashed assets), as the URL scheme marks it. */
const isImmutable = patternMatcher(patternsWhere("immutable"));
const isInbox = patternMatcher(ROUTES.inbox.patterns.map((pattern) => pattern.path));

/** The string vars, set ones only: what loadConfig reads. */
function varsOf(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== "",
    ),
  );
}

export interface WorkerOptions {
  /** false renders every request (the bench uses it to time a render inside workerd); default true. */
  cacheRenders?: boolean;
  /** Settings given in code (feedloom({ siteTitle })), as variables: they win over the Worker's vars. */
  vars?: Record<string, string>;
  /** The path the app is mounted at (feedloom() reads it from its route); default: PUBLIC_URL's path. */
  basePath?: string;
  /** The name of the D1 binding that holds the articles once publish moved them there; default DB. */
  database?: string;
}

export function createWorker(
  bundleJson: string,
  { cacheRenders = true, vars = {}, basePath, database = "DB" }: WorkerOptions = {},
) {
  const bundle = JSON.parse(bundleJson) as ContentBundle;
  // Scheduled articles ship in the bundle and go out, each at its time, for the first request after it.
  const bundleStore = createMemoryStore(
    indexFromBundle(bundle),
    bundle.version,
    publishingTime({ includeUnpublished: bundle.preview === true }),
  );
  // Per isolate; the Cache API in front serves most repeats, this covers the rest (and workers.dev).
  const renderCache = cacheRenders
    ? createLruRenderCache({ maxEntries: 500, maxBytes: 32 * 1024 * 1024 })
    : undefined;
  const edgeCache =
    typeof caches === "undefined" ? undefined : (caches as unknown as { default?: Cache }).default;
  const lastGood = createLastGood({ cache: edgeCache });
  let serving:
    | Promise<{
        app: Hono;
        store: ContentStore;
        config: Config;
        counter?: StatsCounter;
        federating?: WorkerFederation;
      }>
    | undefined;
  /** The content version this isolate last started a round of posts for (federation). */
  let roundVersion: string | undefined;
  /** Built on the first event: the vars (and the DB binding) are not visible before. */
  const servingFor = (env: Env) =>
    (serving ??= build(env).catch((error: unknown) => {
      // A wrong setting fails every request until it is fixed, and is read again by each.
      serving = undefined;
      throw error;
    }));
  const build = async (env: Env) => {
    // Cloudflare routes a request to this Worker by its host, so the host is trusted unless ALLOWED_HOSTS says otherwise.
    const loaded = loadConfig({ ALLOWED_HOSTS: "*", ...varsOf(env), ...vars });
    const config = basePath === undefined ? loaded : mountedAt(loaded, basePath);
    const db = env[database] as D1Like | undefined;
    const store = db ? createD1Store(db, publishingTime(config)) : bundleStore;
    // Subscriber statistics (STATS_TOKEN, a secret) live in D1; without it they are off, and /stats/ says why.
    const stats = loadStatsConfig(varsOf(env));
    const statsStore = stats.token && db ? createStatsStore(d1Database(db), stats) : undefined;
    const publishingVars = { ...varsOf(env), ...vars };
    // API_TOKENS, read once: the statistics list the API's writes, and the API checks its tokens.
    const apiConfig = loadApiConfig(publishingVars);
    // ActivityPub accounts, when FEDERATION=on: followers, keys and deliveries in D1 (docs/federation.md).
    const federation = await federationOn(db, config, loadFederationConfig(publishingVars, config));
    const federating = federation?.federating;
    const extension = statsRoutes({
      token: stats.token,
      store: statsStore,
      addressOf: (c) => c.req.header("cf-connecting-ip"),
      // The API's last writes, kept in D1 beside the articles.
      ...(db && apiConfig.tokens.length > 0 ? { writes: () => recentWrites(db) } : {}),
      ...(federating ? { followers: () => federating.federation.options.state.counts() } : {}),
    });
    const counter = statsStore ? createStatsCounter(statsStore, config.basePath) : undefined;
    return {
      store,
      config,
      counter,
      ...(federating ? { federating } : {}),
      app: createApp({
        store,
        config,
        cache: renderCache,
        extensions: [
          extension,
          publishingOn(apiConfig, db, config, federating && (() => federating.round(store))),
          ...(federation ? [federation.routes] : []),
        ],
      }),
    };
  };
  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      const { app, store, config, counter, federating } = await servingFor(env);
      const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
      const path = pathOf(request.url);
      // The operator's statistics, the API, the inboxes: never from or into a cache, never kept as a last good answer.
      const route = path.startsWith(config.basePath) ? path.slice(config.basePath.length) : "";
      if (isGuarded(route)) {
        const response = await app.fetch(request, env, ctx);
        // A follow's Accept goes out now, after the answer.
        if (federating && request.method === "POST" && isInbox(route))
          waitUntil(federating.deliver().catch(federationFailed));
        return response;
      }
      // Their edge-cache key names no content version, only what would change their bytes (FEED_LIMIT):
      // a publish does not render them again, and a hit asks the store nothing.
      if (isImmutable(route)) {
        const response = await withEdgeCache(
          request,
          { cache: edgeCache, version: `immutable@${config.defaultLimit}`, waitUntil },
          (req) => Promise.resolve(app.fetch(req, env, ctx)),
        );
        return response.status >= 500 ? ((await lastGood.recall(request)) ?? response) : response;
      }
      let version: string;
      try {
        // Read per request: after a publish to D1, or once a scheduled article is due, the next request keys the edge cache anew.
        version = await store.version();
      } catch (error) {
        console.error(
          `feedloom: ${request.method} ${request.url}: the content version cannot be read:`,
          error,
        );
        return (await lastGood.recall(request)) ?? storeUnavailable();
      }
      // A version this isolate has not seen: followers hear of what changed (after publish, or a scheduled time).
      if (federating && version !== roundVersion) {
        roundVersion = version;
        waitUntil(federating.round(store).catch(federationFailed));
      }
      // The app gets the version too, so that it does not read it again.
      const appEnv = { ...env, [CONTENT_VERSION_ENV]: version };
      // An actor or a post, asked for on a page's URL: the Cache API keeps one answer per URL and
      // ignores Vary: Accept, so these skip it (and the last good answers, which would mix them too).
      if (federating && acceptsActivity(request.headers.get("accept")))
        return app.fetch(request, appEnv, ctx);
      // Digests, and the pages that link them, change when a day closes, with no new content: edge-cache keys name the day.
      const edgeVersion = `${version}@${currentDayKey(store.instant(), config.digestTimeZone)}`;
      const response = await withEdgeCache(
        request,
        { cache: edgeCache, version: edgeVersion, waitUntil },
        (req) => Promise.resolve(app.fetch(req, appEnv, ctx)),
      );
      // A failing store (503) or any other server error: the last good answer, with its validators, if there is one.
      if (response.status >= 500) return (await lastGood.recall(request)) ?? response;
      lastGood.remember(request, response, waitUntil);
      // Counted after the answer, edge-cache hits included: the reader does not wait for it.
      if (counter) {
        const userAgent = request.headers.get("user-agent") ?? undefined;
        const counting = counter.count({
          path,
          status: response.status,
          userAgent,
          address: request.headers.get("cf-connecting-ip") ?? undefined,
          at: Date.now(),
        });
        if (counting)
          waitUntil(
            counting.catch((error: unknown) =>
              console.warn("feedloom: statistics: a request was not counted", error),
            ),
          );
      }
      return response;
    },

    /**
     * The Cron Trigger (wrangler.toml, every RELEASE_CHECK_MINUTES): tells the WebSub hubs of the
     * feeds of every scheduled article that went out in the slot that ends at this run's scheduled
     * time, and of the digests when a day closed in it. Slots tile, so each is announced once;
     * readers see it anyway at their next poll.
     */
    async scheduled(
      controller: { scheduledTime: number },
      env: Env,
      ctx: Pick<ExecutionContext, "waitUntil">,
    ): Promise<void> {
      const { store, config, federating } = await servingFor(env);
      // Followers hear of what went out, and deliveries due for a retry are made.
      if (federating) ctx.waitUntil(federating.round(store).catch(federationFailed));
      // Nothing to tell without a hub: no reads either (on D1 they would count every 5 minutes).
      if (config.websubHubs.length === 0) return;
      const from = controller.scheduledTime - RELEASE_CHECK_MINUTES * 60_000;
      const released = await store.publishedBetween(
        { kind: "all" },
        from,
        controller.scheduledTime,
      );
      // And the digests, when a day (or a week) closed in the slot.
      const digests = await closedDigestFeedPaths(
        store,
        config.digestTimeZone,
        from,
        controller.scheduledTime,
      );
      const paths = [...feedPathsOf(scopesOf(released)), ...digests];
      if (paths.length > 0) ctx.waitUntil(announceFeedPaths(config, paths, "feedloom cron"));
    },
  };
}

/** What a URL never served before gets while the store fails: a 503 a reader retries, never a 500. */
function storeUnavailable(): Response {
  return respond(`503 the articles cannot be read right now; retry in a minute\n`, 503, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "Retry-After": String(STORE_RETRY_AFTER_SECONDS),
  });
}

/** How often the Cron Trigger runs: wrangler.toml's `[triggers] crons` says the same (a test checks). */
export const RELEASE_CHECK_MINUTES = 5;

/**
 * The publishing API on a Worker: into D1, telling the WebSub hubs after the answer; with bundled
 * content only, there is nowhere to write, and it says so to an authenticated caller.
 */
function publishingOn(
  apiConfig: ApiConfig,
  db: D1Like | undefined,
  config: Config,
  federate?: () => Promise<void>,
) {
  const guard = {
    config: apiConfig,
    addressOf: (c: Context) => c.req.header("cf-connecting-ip"),
  };
  if (!db)
    return apiUnavailable({
      ...guard,
      reason:
        "this Worker serves a bundle it cannot write to: articles can be written over HTTP only with D1 (docs/d1.md)",
    });
  return apiRoutes({
    ...guard,
    files: d1ArticleFiles(db, publishingTime(config)),
    announce: (c, scopes) => {
      c.executionCtx.waitUntil(announceChanges(config, scopes, "feedloom api"));
      if (federate) c.executionCtx.waitUntil(federate().catch(federationFailed));
    },
  });
}

/**
 * Federation on a Worker keeps its state in D1; with bundled content it has nowhere to. Its
 * modules (and the signature library) load only when it is on: a Worker without it starts
 * without them, as test/worker-graph.test.ts keeps it.
 */
async function federationOn(
  db: D1Like | undefined,
  config: Config,
  settings: FederationConfig,
): Promise<{ federating: WorkerFederation; routes: AppExtension } | undefined> {
  if (!settings.enabled || !config.publicUrl) return undefined;
  if (!db)
    throw new ConfigError(
      "FEDERATION=on on a Worker needs D1 (the DB binding): followers, keys and deliveries are kept there (docs/federation.md)",
    );
  const [{ workerFederation }, { federationRoutes }] = await Promise.all([
    import("../federation/workers.js"),
    import("../federation/routes.js"),
  ]);
  const federating = workerFederation({
    db,
    config: { ...config, publicUrl: config.publicUrl },
    settings,
  });
  return { federating, routes: federationRoutes(federating.federation) };
}

const federationFailed = (error: unknown) =>
  console.warn("feedloom federation: telling followers failed:", error);
