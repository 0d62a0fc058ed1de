/**
 * The package's entry on Node: `feedloom({ articles: "./articles" })` is a
 * Hono app to mount in another (`app.route("/news", feedloom(...))`) or to
 * serve alone. It reads the folder, keeps it live as `feedloom serve` does,
 * and puts every route and link under the path it is mounted at. Its
 * `listener(app.fetch)` serves the whole app from node:http with feedloom's
 * fast path in front, as `feedloom serve` has.
 */
import { statSync } from "node:fs";
import type { IncomingMessage, RequestListener } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { ConfigError, loadApiConfig, loadConfig } from "../config.js";
import { type LiveSite, startLiveSite } from "./live-site.js";
import { mountable, mountedAt } from "./mount.js";
import { type SiteOptions, optionsToEnv, withOptionNames } from "./options.js";

export type { SiteOptions } from "./options.js";

export interface FeedloomOptions extends SiteOptions {
  /** The folder of article files (one markdown file per article, docs/articles.md). */
  articles: string;
  /** Whether a file saved in the folder goes live by itself (DATA_WATCH), default true. */
  watch?: boolean;
  /** Where state is kept: the statistics' database (STATE_DIR), default `state`. */
  stateDir?: string;
}

const NODE_OPTIONS = { articles: "string", watch: "boolean", stateDir: "string" } as const;

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export type MountedFeedloom = Hono & {
  /**
   * A node:http listener for your app (`createServer(news.listener(app.fetch))`) with feedloom's fast
   * path in front: a public answer feedloom already made (a feed, a page) is sent again byte for
   * byte, before your app runs, to a request with the same headers under the same content. Your
   * middleware does not see those requests: use it only if nothing of yours must run for them.
   * Requests with a cookie or credentials, and everything else, go to your app.
   */
  listener(fetch: Fetch): RequestListener;
};

/** The answers feedloom made, with their site and the tag they were made under: the fast path keeps only these. */
const made = new WeakMap<Response, { site: LiveSite; tag: string }>();

export function feedloom(options: FeedloomOptions): MountedFeedloom {
  const env = optionsToEnv(options, NODE_OPTIONS);
  const dir = options.articles;
  if (typeof dir !== "string")
    throw new ConfigError(
      'feedloom(): option articles is required: the folder of article files, such as { articles: "./articles" }',
    );
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new ConfigError(`feedloom(): option articles: ${JSON.stringify(dir)} is not a folder`);
  const siteEnv = {
    ...env,
    DATA_WATCH: String(options.watch ?? true),
    STATE_DIR: options.stateDir ?? "state",
  };
  const shared = withOptionNames(() => loadConfig(siteEnv));
  withOptionNames(() => loadApiConfig(siteEnv));
  /** The sites started, by mount path. */
  const sites = new Map<string, LiveSite>();
  const app = mountable((basePath) => {
    const site: Promise<LiveSite> = startLiveSite({
      dir,
      config: mountedAt(shared, basePath),
      env: siteEnv,
    }).then((started) => sites.set(basePath, started).get(basePath)!);
    return async (request, c) => {
      const live = await site;
      // The tag of the content about to answer, not of the content when it is done.
      const tag = live.replayTag();
      const response = await live.fetch(request, c.env);
      made.set(response, { site: live, tag });
      return response;
    };
  });
  const siteFor = (url: string | undefined): LiveSite | undefined => {
    const path = (url ?? "/").split("?")[0];
    let found: [string, LiveSite] | undefined;
    for (const entry of sites)
      if (
        (path === entry[0] || path.startsWith(`${entry[0]}/`)) &&
        entry[0].length >= (found?.[0].length ?? -1)
      )
        found = entry;
    return found?.[1];
  };
  return Object.assign(app, {
    listener(fetch: Fetch): RequestListener {
      const router = getRequestListener(async (request, env) => {
        const response = await fetch(request, env);
        // Offered only as feedloom made it: an answer your app replaced is never kept.
        const ours = made.get(response);
        if (ours)
          ours.site.replay.offer(
            (env as { incoming: IncomingMessage }).incoming,
            response,
            ours.tag,
          );
        return response;
      });
      return (incoming, outgoing) => {
        if (!siteFor(incoming.url)?.replay.serve(incoming, outgoing))
          void router(incoming, outgoing);
      };
    },
  });
}
