/**
 * What lets `app.route("/news", feedloom(...))` work: the returned app is one
 * catch-all route. Mounted, Hono registers it as `/news/*`, and its handler
 * reads the mount path from the matched route. The real app is built for that
 * path (its routes and every link under it) on the first request, and kept:
 * mounted twice, an instance builds two apps that share nothing.
 */
import { Hono } from "hono";
import type { Context } from "hono";

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
