/**
 * The package's entry on Cloudflare Workers (the `workerd` and `worker`
 * export conditions, which wrangler's bundler sets): the same
 * `app.route("/news", feedloom({ ... }))` as on Node, over the content
 * bundle `feedloom build` writes, or over D1 once `feedloom publish` moved
 * the articles there. A Worker has no folder to read or watch, so the
 * content arrives as the bundle's text; the D1 binding, like the Worker's
 * vars, is read from each request's env.
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

export function feedloom(options: WorkerFeedloomOptions): Hono {
  const vars = optionsToEnv(options, WORKER_OPTIONS);
  if (typeof options.content !== "string")
    throw new ConfigError(
      'feedloom(): option content is required: the bundle feedloom build writes, imported as text (import content from "../generated/content.txt")',
    );
  // Checked now, so that a wrong option fails at start-up; the Worker's own vars join on the first request.
  const checked = withOptionNames(() => loadConfig(vars));
  withOptionNames(() => loadApiConfig(vars));
  return mountable((basePath) => {
    mountedAt(checked, basePath);
    const worker = createWorker(options.content, {
      vars,
      basePath,
      database: options.database,
    });
    return (request, c) => worker.fetch(request, c.env, c.executionCtx);
  });
}
