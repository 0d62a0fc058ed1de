/**
 * The publishing API where articles cannot be written (a Worker): the same
 * routes and the same token check, then a 503 that says why, so that a
 * pipeline pointed at the wrong deployment hears it rather than a 404.
 */
import type { Context } from "hono";
import type { AppExtension } from "../http/app.js";
import { ROUTES, type WriteMethod } from "../scheme/routes.js";
import { ApiError, type GuardOptions, NO_API, apiGuard } from "./auth.js";

export function apiUnavailable(options: GuardOptions & { reason: string }): AppExtension {
  if (options.config.tokens.length === 0) return NO_API;
  const guarded = apiGuard(options);
  const refuse = (write: boolean) =>
    guarded(write, async () => {
      throw new ApiError(503, options.reason);
    });
  const pass = async (_: Context, next: () => Promise<void>) => next();
  return {
    install(site) {
      for (const declared of [ROUTES.apiArticle, ROUTES.apiArticles]) {
        site.route(declared, refuse(false));
        for (const method of declared.writes ?? ([] as WriteMethod[]))
          site.write(declared, method, pass, refuse(true));
      }
    },
  };
}
