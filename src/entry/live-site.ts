/**
 * A data folder served live on Node: read it, build the app, and keep the
 * folder live. Each reload builds a new store and app and swaps them in whole,
 * so a request is answered by one set of articles from start to end. A timer
 * tells WebSub hubs when a scheduled article goes out (the store publishes it
 * by itself). `feedloom serve` puts an HTTP server in front; `feedloom()`
 * mounts it in another Hono app.
 */
import type { RequestListener } from "node:http";
import type { Hono } from "hono";
import { articleFiles } from "../api/folder.js";
import { apiRoutes } from "../api/routes.js";
import {
  type Config,
  PREVIEW_WARNING,
  loadApiConfig,
  loadFederationConfig,
  loadStatsConfig,
  loadWatchConfig,
} from "../config.js";
import { formatIssue } from "../content/report.js";
import { createItemFragments } from "../feeds/fragments.js";
import { currentPeriod } from "../index/digest.js";
import { type MemoryStore, createMemoryStore, publishedCutoff, scopesOf } from "../index/store.js";
import { type Replay, contentTag, createReplay } from "../runtime/replay.js";
import { nodeFederation } from "../federation/node.js";
import { federationRoutes } from "../federation/routes.js";
import { announceChanges, announceFeedPaths, closedDigestFeedPaths } from "../publish/announce.js";
import { publishingTime } from "../runtime/clock.js";
import { createNodeApp } from "../runtime/node-app.js";
import { createRenderAdmission } from "../runtime/render-admission.js";
import { ArticleFolder, KEPT_LIVE } from "../sources/fs-source.js";
import { type Reload, watchFolder } from "../sources/live.js";
import { type LoadResult, defaultCacheDir, indexScan, summaryLine } from "../sources/load.js";
import { countingFetch, nodeClientAddress, nodeStatistics } from "../stats/node-stats.js";

/** setTimeout's longest delay (about 24.8 days): a release further off is re-armed on the way. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
/** The parse cache is written at most this often while the folder changes (it is large at 50k articles). */
const CACHE_WRITE_DELAY_MS = 30_000;

export interface LiveSite {
  config: Config;
  /** The app of the moment, counted by the statistics when they are on. */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  /** A node:http listener for it: the fast path (runtime/replay.ts) in front of the app. */
  listener: RequestListener;
  /** That fast path, for a listener of someone else's app that mounts this one (feedloom()'s). */
  replay: Replay;
  /** The tag an answer made now is kept under (the content version and digest day). */
  replayTag: () => string;
  /** What the log says about watching and counting, once the server listens at `url`. */
  describe(url: string): string[];
  /** Stops watching and timers, and writes what is kept (the parse cache, the statistics). */
  close(): void;
}

export async function startLiveSite({
  dir,
  config,
  env,
}: {
  dir: string;
  config: Config;
  env: Record<string, string | undefined>;
}): Promise<LiveSite> {
  const watching = loadWatchConfig(env);
  const stateDir = env.STATE_DIR ?? "state";
  // ActivityPub accounts, when FEDERATION=on: keys and followers under STATE_DIR (docs/federation.md).
  const federating = await nodeFederation({
    config,
    settings: loadFederationConfig(env, config),
    stateDir,
  });
  // Subscriber statistics, when STATS_TOKEN is set: a database under STATE_DIR (docs/statistics.md).
  const statistics = await nodeStatistics(
    loadStatsConfig(env),
    config.basePath,
    stateDir,
    federating && (() => federating.federation.options.state.counts()),
  );
  const time = publishingTime(config);
  const clock = time.now;
  // The publishing API, when API_TOKENS is set: it writes article files here, and the reload below publishes them.
  const publishing = apiRoutes({
    config: loadApiConfig(env),
    files: articleFiles(dir),
    addressOf: (c) => nodeClientAddress(c.env, c.req.raw.headers, loadStatsConfig(env).trustProxy),
  });
  const loadOptions = () => ({
    includeUnpublished: config.includeUnpublished,
    now: clock(),
    showScheduled: time.showScheduled,
  });
  const folder = new ArticleFolder(dir, { cacheDir: defaultCacheDir(env) });
  let loaded = indexScan(await folder.scan(), dir, loadOptions());
  folder.saveCache();
  for (const issue of loaded.issues.filter((item) => item.severity === "error"))
    console.warn(`feedloom: ${formatIssue(issue)}`);
  console.log(summaryLine(loaded, dir));
  if (config.includeUnpublished) console.warn(PREVIEW_WARNING);
  if (!config.publicUrl) {
    const hosts = config.allowedHosts === "any" ? "any host" : config.allowedHosts.join(", ");
    console.warn(
      `feedloom: PUBLIC_URL is not set: feed links use the request's host, answered only for ${hosts} (ALLOWED_HOSTS). ` +
        "Before serving the public, set PUBLIC_URL=https://your-feeds-host",
    );
  }

  // Kept across reloads: an unchanged article keeps its object, and so its rendered markup.
  const itemFragments = createItemFragments();
  // Shared across reloads too: a reload must not reset what the server has recently spent rendering.
  const admission = createRenderAdmission();
  const serving = (result: LoadResult): { store: MemoryStore; app: Hono } => {
    const store = createMemoryStore(result.index, result.version, time);
    return {
      store,
      app: createNodeApp({
        store,
        config,
        itemFragments,
        admission,
        extensions: [
          ...(statistics ? [statistics.extension] : []),
          publishing,
          ...(federating ? [federationRoutes(federating.federation)] : []),
        ],
      }),
    };
  };
  let current = serving(loaded);
  // Followers hear of what went live, however it did: at start (anything new since the last run), on each reload, at a scheduled time.
  const federate = () => {
    if (!federating) return;
    const cutoff = publishedCutoff(clock());
    const live = loaded.index.articles.filter((article) => article.published <= cutoff);
    federating.federation
      .publish(current.store, live)
      .catch((error: unknown) =>
        console.warn("feedloom federation: telling followers failed:", error),
      );
  };
  federate();

  // Scheduled articles: the store shows each at its time; this timer tells the hubs (and the log) when.
  let releasedUpTo = clock();
  let releaseTimer: NodeJS.Timeout | undefined;
  const armRelease = () => {
    if (releaseTimer) clearTimeout(releaseTimer);
    const next = loaded.scheduled.find((article) => Date.parse(article.published) > releasedUpTo);
    if (!next) return;
    releaseTimer = setTimeout(
      () => void release(),
      Math.min(LONGEST_TIMER_MS, Math.max(0, Date.parse(next.published) - Date.now())),
    );
    releaseTimer.unref();
  };
  const release = async () => {
    const now = clock();
    const released = await current.store.publishedBetween({ kind: "all" }, releasedUpTo, now);
    releasedUpTo = now;
    if (released.length > 0) {
      console.log(
        `feedloom: ${released.length} scheduled article${released.length === 1 ? "" : "s"} went out: ${released.map((article) => article.file).join(", ")}`,
      );
      void announceChanges(config, scopesOf(released), "feedloom");
      federate();
    }
    armRelease();
  };
  armRelease();

  // Digests gain an item when a day (or a week) closes in DIGEST_TIMEZONE: a timer tells the hubs then.
  const armDigests = () => {
    const from = clock();
    const midnight = currentPeriod("daily", from, config.digestTimeZone).end;
    // A second past midnight: article dates count in whole seconds.
    const wait = Math.min(LONGEST_TIMER_MS, Math.max(0, midnight - Date.now()) + 1_000);
    setTimeout(async () => {
      await announceFeedPaths(
        config,
        await closedDigestFeedPaths(current.store, config.digestTimeZone, from, clock()),
        "feedloom",
      );
      armDigests();
    }, wait).unref();
  };
  if (config.websubHubs.length > 0) armDigests();

  let cacheWrite: NodeJS.Timeout | undefined;
  const onReload = (reload: Reload) => {
    loaded = reload.result;
    current = serving(loaded);
    const problems = loaded.issues.filter(
      (issue) => issue.severity === "error" || issue.reason.endsWith(KEPT_LIVE),
    );
    for (const issue of problems) console.warn(`feedloom: ${formatIssue(issue)}`);
    console.log(
      `feedloom: reload: ${reload.added} added, ${reload.changed} changed, ${reload.removed} removed; ${problems.length} problem${problems.length === 1 ? "" : "s"}; ` +
        `${loaded.index.articles.length - loaded.scheduled.length} published, ${loaded.scheduled.length} scheduled; ${reload.ms.toFixed(0)} ms`,
    );
    void announceChanges(config, reload.changedScopes, "feedloom");
    federate();
    armRelease();
    cacheWrite ??= setTimeout(() => {
      cacheWrite = undefined;
      folder.saveCache();
    }, CACHE_WRITE_DELAY_MS).unref();
  };
  const live = watching.watch
    ? watchFolder({
        folder,
        initial: loaded,
        loadOptions,
        rescanSeconds: watching.rescanSeconds,
        pollOnly: watching.watch === "poll",
        onReload,
        onError: (error) =>
          console.warn(
            `feedloom: reload of ${dir} failed, the last good set stays live: ${error instanceof Error ? error.message : String(error)}`,
          ),
      })
    : undefined;

  const fetch = countingFetch(statistics, (request, env) => current.app.fetch(request, env));
  const replayTag = contentTag(() => current.store, clock, config.digestTimeZone);
  const replay = createReplay({
    tag: replayTag,
    ...(statistics
      ? {
          observe: (incoming, status) => statistics.observeReplay(incoming, status),
        }
      : {}),
  });
  return {
    config,
    fetch,
    listener: replay.listener(fetch),
    replay,
    replayTag,
    describe(url) {
      const lines: string[] = [];
      if (statistics)
        lines.push(
          `feedloom: counting subscribers into ${stateDir}/stats.sqlite; the operator's figures are at ${url}stats/`,
        );
      if (federating) {
        const { host } = federating.federation.urls;
        lines.push(
          `feedloom: federating: follow @feed@${host()} (everything), @{topic}@${host()} or @{provider}@${host()}; keys and followers in ${stateDir}/federation*.json`,
        );
      }
      if (live) {
        const rescans =
          watching.rescanSeconds > 0 ? `a rescan every ${watching.rescanSeconds} s` : "no rescan";
        lines.push(
          `feedloom: watching ${dir}: ${watching.watch === "poll" ? `changes go live at the next rescan (${rescans})` : `changes go live as they are saved, and ${rescans} catches any whose file event is lost`}`,
        );
      }
      return lines;
    },
    close() {
      live?.close();
      if (releaseTimer) clearTimeout(releaseTimer);
      if (cacheWrite) folder.saveCache();
      statistics?.close();
      federating?.close();
    },
  };
}
