/**
 * The package's entry on Node: `feedloom({ articles: "./articles" })` is a
 * Hono app to mount in another (`app.route("/news", feedloom(...))`) or to
 * serve alone. It reads the folder, keeps it live as `feedloom serve` does,
 * and puts every route and link under the path it is mounted at.
 */
import { statSync } from "node:fs";
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

export function feedloom(options: FeedloomOptions): Hono {
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
  return mountable((basePath) => {
    const site: Promise<LiveSite> = startLiveSite({
      dir,
      config: mountedAt(shared, basePath),
      env: siteEnv,
    });
    return async (request) => (await site).fetch(request);
  });
}
