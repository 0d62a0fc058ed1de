/**
 * The package's entry on Cloudflare Workers (the `workerd` and `worker`
 * export conditions, which wrangler's bundler sets): the same
 * `app.route("/news", feedloom({ ... }))` as on Node, over the content
 * bundle `feedloom build` writes, or over D1 once `feedloom publish` moved
 * the articles there. A Worker has no folder to read or watch, so the
 * content arrives as the bundle's text; the D1 binding, like the Worker's
 * vars, is read from each request's env. Its `scheduled` is the handler for
 * the Worker's Cron Trigger, as the repository's own Worker has.
 */
import type { Hono } from "hono";
import { ConfigError, loadApiConfig, loadConfig } from "../config.js";
import { mountable, mountedAt } from "./mount.js";
import { type SiteOptions, optionsToEnv, withOptionNames } from "./options.js";
import { createWorker } from "./worker-app.js";

export type { SiteOptions } from "./options.js";

export interface WorkerFeedloomOptions extends SiteOptions {
  /**
   * The content bundle `feedloom build` writes (generated/content.txt), imported as a Text module:
   * `import content from "../generated/content.txt"`. With D1 bound it holds no articles.
   */
  content: string;
  /** The D1 binding that holds the articles once `feedloom publish` moved them there; default DB. */
  database?: string;
}

const WORKER_OPTIONS = { content: "string", database: "string" } as const;

type Scheduled = ReturnType<typeof createWorker>["scheduled"];

/** The mountable app, and the Cron Trigger's handler: `export default { fetch: app.fetch, scheduled: news.scheduled }`. */
export type MountedFeedloom = Hono & {
  /**
   * Tells the WebSub hubs of scheduled articles that went out and of closed digests, and (with
   * FEDERATION=on) followers of what changed; needs PUBLIC_URL, whose path must be the mount path.
   */
  scheduled: Scheduled;
};

export function feedloom(options: WorkerFeedloomOptions): MountedFeedloom {
  const vars = optionsToEnv(options, WORKER_OPTIONS);
  if (typeof options.content !== "string")
    throw new ConfigError(
      'feedloom(): option content is required: the bundle feedloom build writes, imported as text (import content from "../generated/content.txt")',
    );
  // Checked now, so that a wrong option fails at start-up; the Worker's own vars join on the first request.
  const checked = withOptionNames(() => loadConfig(vars));
  withOptionNames(() => loadApiConfig(vars));
  const app = mountable((basePath) => {
    mountedAt(checked, basePath);
    const worker = createWorker(options.content, {
      vars,
      basePath,
      database: options.database,
    });
    return (request, c) => worker.fetch(request, c.env, c.executionCtx);
  });
  // A cron event comes with no request to take the mount path from: PUBLIC_URL's path is it.
  let cron: ReturnType<typeof createWorker> | undefined;
  const scheduled: Scheduled = (controller, env, ctx) =>
    (cron ??= createWorker(options.content, { vars, database: options.database })).scheduled(
      controller,
      env,
      ctx,
    );
  return Object.assign(app, { scheduled });
}
