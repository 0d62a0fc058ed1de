/**
 * The options `feedloom()` takes, on Node and on Workers: each one a setting
 * the server reads from an environment variable, typed and checked when the
 * app is built, so that a misspelt or mistyped option fails at once with its
 * name and what it accepts, not later with a wrong feed.
 */
import { ConfigError } from "../config.js";

/** Settings shared by every platform (docs/configuration.md has each variable). */
export interface SiteOptions {
  /** The feeds' and pages' title (SITE_TITLE). */
  siteTitle?: string;
  /** The website the articles belong to: every feed's home link (SITE_URL). Default: this service's home page. */
  siteUrl?: string;
  /** One sentence under the title (SITE_DESCRIPTION). */
  siteDescription?: string;
  /** BCP 47 language tag of the feeds (FEED_LANGUAGE), default `en`. */
  language?: string;
  /** Icon of the site-wide and topic feeds (SITE_ICON), an absolute URL. */
  siteIcon?: string;
  /**
   * The public address of the mounted app, with its mount path (PUBLIC_URL):
   * `https://example.org/news`. Without it, links use the request's origin.
   */
  publicUrl?: string;
  /** Hosts whose requests are answered without `publicUrl` (ALLOWED_HOSTS): loopback only by default, `["*"]` for any. */
  allowedHosts?: readonly string[];
  /** WebSub hubs announced in every feed (WEBSUB_HUBS). */
  websubHubs?: readonly string[];
  /** Who may frame the embed pages, a CSP frame-ancestors list (EMBED_ANCESTORS), default `*`. */
  embedAncestors?: string;
  /** Items per feed page (FEED_LIMIT), default 50. */
  feedLimit?: number;
  /** The largest `?limit=` a reader may ask for (FEED_MAX_LIMIT), default 200. */
  feedMaxLimit?: number;
  /** Seconds a reader or cache may reuse a response (CACHE_MAX_AGE), default 300. */
  cacheMaxAge?: number;
  /** Preview: also publish articles marked `published: false` (INCLUDE_UNPUBLISHED). */
  includeUnpublished?: boolean;
  /** Stories a digest item lists (DIGEST_SIZE), default 10. */
  digestSize?: number;
  /** IANA zone whose midnights close the digests' days (DIGEST_TIMEZONE), default UTC. */
  digestTimeZone?: string;
  /** Turns subscriber statistics on, at `stats/` under the mount path (STATS_TOKEN, 24 characters or more). */
  statsToken?: string;
  /**
   * Turns the publishing API on (API_TOKENS): `name:scopes:secret` entries separated by spaces,
   * such as `"crawler:create,update:<24 characters or more>"` (docs/api.md).
   */
  apiTokens?: string;
  /** Writes per token and minute the publishing API takes (API_RATE_LIMIT), default 600. */
  apiRateLimit?: number;
}

type Kind = "string" | "number" | "boolean" | "string list";

/** Each option's kind and the variable it sets. */
export const SITE_OPTIONS: Record<keyof SiteOptions, [Kind, string]> = {
  siteTitle: ["string", "SITE_TITLE"],
  siteUrl: ["string", "SITE_URL"],
  siteDescription: ["string", "SITE_DESCRIPTION"],
  language: ["string", "FEED_LANGUAGE"],
  siteIcon: ["string", "SITE_ICON"],
  publicUrl: ["string", "PUBLIC_URL"],
  allowedHosts: ["string list", "ALLOWED_HOSTS"],
  websubHubs: ["string list", "WEBSUB_HUBS"],
  embedAncestors: ["string", "EMBED_ANCESTORS"],
  feedLimit: ["number", "FEED_LIMIT"],
  feedMaxLimit: ["number", "FEED_MAX_LIMIT"],
  cacheMaxAge: ["number", "CACHE_MAX_AGE"],
  includeUnpublished: ["boolean", "INCLUDE_UNPUBLISHED"],
  digestSize: ["number", "DIGEST_SIZE"],
  digestTimeZone: ["string", "DIGEST_TIMEZONE"],
  statsToken: ["string", "STATS_TOKEN"],
  apiTokens: ["string", "API_TOKENS"],
  apiRateLimit: ["number", "API_RATE_LIMIT"],
};

function kindOf(value: unknown): Kind | undefined {
  if (Array.isArray(value))
    return value.every((item) => typeof item === "string") ? "string list" : undefined;
  const kind = typeof value;
  return kind === "string" || kind === "number" || kind === "boolean" ? kind : undefined;
}

/**
 * The options as the environment variables they stand for, after checking
 * that each is known and of its kind. `own` are the platform's options besides
 * the shared ones (the articles' folder, a D1 binding), checked by the caller.
 */
export function optionsToEnv(options: object, own: Record<string, Kind>): Record<string, string> {
  if (typeof options !== "object" || options === null)
    throw new ConfigError('feedloom() takes an options object, such as { articles: "./articles" }');
  const env: Record<string, string> = {};
  const accepted = {
    ...own,
    ...Object.fromEntries(Object.entries(SITE_OPTIONS).map(([name, [kind]]) => [name, kind])),
  };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const kind = accepted[name];
    if (!kind)
      throw new ConfigError(
        `feedloom(): no option ${JSON.stringify(name)}; it accepts ${Object.keys(accepted).join(", ")}`,
      );
    if (kindOf(value) !== kind)
      throw new ConfigError(
        `feedloom(): option ${name} must be a ${kind}, got ${JSON.stringify(value)}`,
      );
    const variable = SITE_OPTIONS[name as keyof SiteOptions]?.[1];
    if (variable) env[variable] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return env;
}

/** Runs `load` on the options' variables, naming the option, not the variable, in what it throws. */
export function withOptionNames<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    let message = error.message;
    for (const [name, [, variable]] of Object.entries(SITE_OPTIONS))
      message = message.replaceAll(variable, `option ${name}`);
    throw new ConfigError(`feedloom(): ${message}`);
  }
}
