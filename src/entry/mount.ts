/**
 * What lets `app.route("/news", feedloom(...))` work: the returned app is one
 * catch-all route. Mounted, Hono registers it as `/news/*`, and its handler
 * reads the mount path from the matched route. The real app is built for that
 * path (its routes and every link under it) on the first request, and kept:
 * mounted twice, an instance builds two apps that share nothing.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { type Config, ConfigError } from "../config.js";

export type MountedFetch = (request: Request, c: Context) => Response | Promise<Response>;

export function mountable(appAt: (basePath: string) => MountedFetch): Hono {
  const apps = new Map<string, MountedFetch>();
  const app = new Hono();
  app.all("*", (c) => {
    const basePath = c.req.routePath.replace(/\/?\*$/, "");
    let fetch = apps.get(basePath);
    if (!fetch) apps.set(basePath, (fetch = appAt(basePath)));
    return fetch(c.req.raw, c);
  });
  return app;
}

/** The config of an app mounted at `basePath`: PUBLIC_URL, when set, must end in that path. */
export function mountedAt(config: Config, basePath: string): Config {
  if (config.publicUrl !== undefined && config.basePath !== basePath)
    throw new ConfigError(
      `feedloom(): PUBLIC_URL ends in ${JSON.stringify(config.basePath || "/")}, but the app is mounted at ${JSON.stringify(basePath || "/")}: make them the same`,
    );
  return { ...config, basePath };
}
