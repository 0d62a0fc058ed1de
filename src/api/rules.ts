/**
 * What decides whether a write may be made, for every way an article is
 * written (the article API, batches, Micropub): it is valid, the token has
 * the scope and the provider, and the preconditions hold.
 */
import type { Context } from "hono";
import type { ApiScope } from "../config.js";
import { clip } from "../http/errors.js";
import { ApiError, type Token } from "./auth.js";
import { fieldsOf, validArticle } from "./document.js";
import type { Change, Stored } from "./writes.js";

/** One article is a few kB: what a PUT or a Micropub post may send. */
export const ARTICLE_LIMIT_BYTES = 256 * 1024;

export const tooLarge = (bytes: number) =>
  new ApiError(413, `the body is over ${bytes / 1024} KB; send articles in smaller batches`);

export interface Guards {
  ifMatch?: string;
  ifNoneMatch?: string;
}

export const preconditions = (c: Context): Guards => ({
  ifMatch: c.req.header("if-match"),
  ifNoneMatch: c.req.header("if-none-match"),
});

/** Valid, and of a provider the token may write. */
export function validArticleFor(token: Token, key: string, text: string): void {
  const { article } = validArticle(key, text);
  providerAllowed(token, key, article.provider.domain);
}

function providerAllowed(token: Token, key: string, domain: unknown): void {
  if (token.providers && !token.providers.includes(String(domain).toLowerCase()))
    throw new ApiError(
      403,
      `token ${token.name} may not write ${key}: its provider ${clip(String(domain))} is not one of ${token.providers.join(", ")}`,
    );
}

/** The token's scope for this change, the stored article's provider, and the preconditions; throws to refuse. */
export function permitted(
  token: Token,
  change: Change,
  stored: Stored | undefined,
  guards: Guards,
): void {
  const scope: ApiScope = change.text === undefined ? "delete" : stored ? "update" : "create";
  if (!token.scopes.includes(scope))
    throw new ApiError(
      403,
      `token ${token.name} lacks the scope ${scope}, which ${change.key} needs`,
    );
  if (stored)
    providerAllowed(
      token,
      change.key,
      (fieldsOf(stored.text).provider as { domain?: unknown } | undefined)?.domain,
    );
  if (guards.ifNoneMatch === "*" && stored)
    throw new ApiError(
      412,
      `${change.key} exists (If-None-Match: *): GET it for its ETag, and replace with If-Match`,
    );
  if (guards.ifMatch !== undefined && !matches(guards.ifMatch, stored))
    throw new ApiError(
      412,
      `${change.key} is ${stored ? `at ${stored.etag}` : "gone"}, not at ${clip(guards.ifMatch)}: GET it again, then retry`,
    );
}

const matches = (ifMatch: string, stored: Stored | undefined) =>
  stored !== undefined &&
  (ifMatch.trim() === "*" || ifMatch.split(",").some((tag) => tag.trim() === stored.etag));
