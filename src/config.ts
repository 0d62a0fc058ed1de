/**
 * One typed configuration, read from environment variables (Node's
 * `process.env`, or the Worker's `env` vars). Pure: the entry passes the record.
 * Defaults serve the bundled sample data (articles from "A.I. Every Day").
 */
export interface Config {
  /** SITE_TITLE; in a preview (INCLUDE_UNPUBLISHED), prefixed "[Preview]" on every page, feed and list. */
  siteTitle: string;
  /**
   * The website the articles belong to (SITE_URL): the main feed's home link and id; relative logo
   * paths are resolved under it. Unset: this service's own home page, and relative logos are left out.
   */
  siteUrl?: string;
  siteDescription: string;
  /** BCP 47 language tag of the feeds. */
  language: string;
  /** Icon of the site-wide and topic feeds (provider feeds use the provider's logo). */
  siteIcon?: string;
  /**
   * Public address of this service for self links, without a trailing slash:
   * an origin, or an origin and a path when it is served under one
   * (https://you.github.io/feeds). When unset, the request's own origin is used.
   */
  publicUrl?: string;
  /** The path part of PUBLIC_URL ("/feeds"), or "": every route and every link of a page sits under it. */
  basePath: string;
  /**
   * Hosts whose requests are answered (`host` or `host:port`, lowercased), or
   * "any". Without PUBLIC_URL, links are built from the request's Host, so an
   * unlisted Host could otherwise point every link of a feed at itself.
   */
  allowedHosts: readonly string[] | "any";
  /** WebSub hubs announced in every feed and told when feeds change (WEBSUB_HUBS). */
  websubHubs: readonly string[];
  /** Who may frame the /embed/ pages: a CSP frame-ancestors source list (EMBED_ANCESTORS), "*" for anyone. */
  embedAncestors: string;
  defaultLimit: number;
  maxLimit: number;
  /** Seconds a reader or cache may reuse a response (Cache-Control max-age, RSS ttl). */
  cacheMaxAge: number;
  /** Preview switch: also publish articles marked `published: false` (and every response says noindex). */
  includeUnpublished: boolean;
  /** Stories a digest item lists (DIGEST_SIZE). */
  digestSize: number;
  /** IANA zone whose midnights close the digests' days and weeks (DIGEST_TIMEZONE). */
  digestTimeZone: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

const DEFAULTS = {
  SITE_TITLE: "A.I. Every Day",
  SITE_URL: "",
  SITE_DESCRIPTION: "The latest news on artificial intelligence, every day.",
  FEED_LANGUAGE: "en",
  SITE_ICON: "",
  PUBLIC_URL: "",
  ALLOWED_HOSTS: "",
  WEBSUB_HUBS: "",
  EMBED_ANCESTORS: "*",
  FEED_LIMIT: "50",
  FEED_MAX_LIMIT: "200",
  CACHE_MAX_AGE: "300",
  INCLUDE_UNPUBLISHED: "false",
  DIGEST_SIZE: "10",
  DIGEST_TIMEZONE: "UTC",
} as const;

/** What a preview's titles start with: drafts are showing, and nobody should mistake it for the site. */
export const PREVIEW_MARK = "[Preview]";

/** What a process serving or writing a preview says first, so that it is never started by accident. */
export const PREVIEW_WARNING =
  "feedloom: PREVIEW: INCLUDE_UNPUBLISHED is on: drafts (published: false) and scheduled articles are published now. Every title says [Preview] and every response says noindex, but never serve this to the public";

export function loadConfig(env: Env): Config {
  const read = (name: keyof typeof DEFAULTS) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? DEFAULTS[name] : value;
  };
  const config: Config = {
    siteTitle: read("SITE_TITLE"),
    siteDescription: read("SITE_DESCRIPTION"),
    language: languageTag(read("FEED_LANGUAGE")),
    defaultLimit: wholeNumber("FEED_LIMIT", read("FEED_LIMIT"), 1, 10_000),
    maxLimit: wholeNumber("FEED_MAX_LIMIT", read("FEED_MAX_LIMIT"), 1, 10_000),
    cacheMaxAge: wholeNumber("CACHE_MAX_AGE", read("CACHE_MAX_AGE"), 0, 31_536_000),
    includeUnpublished: yesNo("INCLUDE_UNPUBLISHED", read("INCLUDE_UNPUBLISHED")),
    allowedHosts: "any",
    basePath: "",
    websubHubs: read("WEBSUB_HUBS")
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((hub) => absoluteUrl("WEBSUB_HUBS", hub)),
    embedAncestors: frameAncestors(read("EMBED_ANCESTORS")),
    digestSize: wholeNumber("DIGEST_SIZE", read("DIGEST_SIZE"), 1, 50),
    digestTimeZone: timeZone(read("DIGEST_TIMEZONE")),
  };
  if (config.includeUnpublished) config.siteTitle = `${PREVIEW_MARK} ${config.siteTitle}`;
  const siteUrl = read("SITE_URL");
  if (siteUrl) config.siteUrl = absoluteUrl("SITE_URL", siteUrl).replace(/\/+$/, "");
  const icon = read("SITE_ICON");
  if (icon) config.siteIcon = absoluteUrl("SITE_ICON", icon);
  const publicUrl = read("PUBLIC_URL");
  if (publicUrl) {
    const url = new URL(absoluteUrl("PUBLIC_URL", publicUrl));
    if (url.search || url.hash)
      throw new ConfigError(
        `PUBLIC_URL must be an address without a query or fragment, such as https://you.github.io/feeds, got ${JSON.stringify(publicUrl)}`,
      );
    config.basePath = url.pathname.replace(/\/+$/, "");
    config.publicUrl = `${url.origin}${config.basePath}`;
  }
  config.allowedHosts = allowedHosts(read("ALLOWED_HOSTS"), config.publicUrl);
  if (config.defaultLimit > config.maxLimit) {
    throw new ConfigError(
      `FEED_LIMIT (${config.defaultLimit}) must not be greater than FEED_MAX_LIMIT (${config.maxLimit})`,
    );
  }
  return config;
}

/** Loopback names: a server on a developer's machine answers them without configuration. */
export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"] as const;

/**
 * ALLOWED_HOSTS as written ("*" for any), else: any host when PUBLIC_URL fixes the links
 * (the Host then changes nothing), else loopback only.
 */
function allowedHosts(value: string, publicUrl: string | undefined): Config["allowedHosts"] {
  if (value === "*") return "any";
  if (value === "") return publicUrl ? "any" : LOOPBACK_HOSTS;
  const hosts = value
    .split(",")
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  for (const host of hosts) {
    if (!/^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/.test(host)) {
      throw new ConfigError(
        `ALLOWED_HOSTS must be a comma-separated list of host names (optionally with :port), or *, got ${JSON.stringify(host)}`,
      );
    }
  }
  return hosts;
}

/** "*", or origins such as https://blog.example.com (comma- or space-separated), as CSP frame-ancestors sources. */
function frameAncestors(value: string): string {
  if (value === "*") return "*";
  const origins = value.split(/[\s,]+/).filter(Boolean);
  for (const origin of origins) {
    if (!/^https?:\/\/(?:\*\.)?[a-z0-9.-]+(?::\d{1,5})?$/i.test(origin)) {
      throw new ConfigError(
        `EMBED_ANCESTORS must be * or origins such as https://blog.example.com, got ${JSON.stringify(origin)}`,
      );
    }
  }
  return origins.join(" ");
}

function absoluteUrl(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {
    // reported below
  }
  throw new ConfigError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new ConfigError(
      `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

function yesNo(name: string, value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** An IANA zone name the runtime knows: Intl refuses any other. */
function timeZone(value: string): string {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return value;
  } catch {
    throw new ConfigError(
      `DIGEST_TIMEZONE must be an IANA time zone such as UTC, Europe/Paris or America/New_York, got ${JSON.stringify(value)}`,
    );
  }
}

function languageTag(value: string): string {
  if (!/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(value)) {
    throw new ConfigError(
      `FEED_LANGUAGE must be a language tag such as en or en-GB, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The Node server's watching of its data folder (DATA_WATCH, DATA_RESCAN_SECONDS); Workers have no folder. */
export interface WatchConfig {
  /** Put changes live: from file events and rescans (true), from rescans alone (poll), or never (false: read once at start). */
  watch: boolean | "poll";
  /** Seconds between rescans by modification time, for folders whose file events do not arrive; 0: never. */
  rescanSeconds: number;
}

/** Subscriber statistics (docs/statistics.md): off unless STATS_TOKEN is set. */
export interface StatsConfig {
  /** The secret that opens /stats/; undefined: nothing is counted and /stats/ is a 404. */
  token?: string;
  retentionDays: number;
  claimCeiling: number;
  /** Node: the client's address from X-Forwarded-For (TRUST_PROXY), for a server behind a proxy that sets it. */
  trustProxy: boolean;
}

/** Long enough that guessing is hopeless whatever the throttling: 24 characters of base64 are 144 bits. */
const MIN_TOKEN_LENGTH = 24;

export function loadStatsConfig(env: Env): StatsConfig {
  const value = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const token = env.STATS_TOKEN?.trim() || undefined;
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `STATS_TOKEN must be ${MIN_TOKEN_LENGTH} characters or more (it is all that guards the statistics), got ${token.length}; for example: openssl rand -base64 32`,
    );
  }
  return {
    ...(token ? { token } : {}),
    retentionDays: wholeNumber(
      "STATS_RETENTION_DAYS",
      value("STATS_RETENTION_DAYS", "90"),
      8,
      3650,
    ),
    claimCeiling: wholeNumber(
      "STATS_CLAIM_CEILING",
      value("STATS_CLAIM_CEILING", "1000"),
      1,
      100_000_000,
    ),
    trustProxy: yesNo("TRUST_PROXY", value("TRUST_PROXY", "false")),
  };
}

export function loadWatchConfig(env: Env): WatchConfig {
  const value = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const watch =
    value("DATA_WATCH", "true").toLowerCase() === "poll"
      ? "poll"
      : yesNo("DATA_WATCH", value("DATA_WATCH", "true"));
  const rescanSeconds = wholeNumber(
    "DATA_RESCAN_SECONDS",
    value("DATA_RESCAN_SECONDS", "5"),
    0,
    86_400,
  );
  if (watch === "poll" && rescanSeconds === 0)
    throw new ConfigError(
      "DATA_WATCH=poll finds changes by rescanning: set DATA_RESCAN_SECONDS to 1 or more",
    );
  return { watch, rescanSeconds };
}

export const API_SCOPES = ["create", "update", "delete"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** One entry of API_TOKENS: `name:scopes:secret`, or `name:scopes:providers:secret`. */
export interface ApiTokenConfig {
  name: string;
  scopes: ApiScope[];
  /** The providers' domains it may write; undefined: any. */
  providers?: string[];
  secret: string;
}

export interface ApiConfig {
  /** Empty: no publishing API (its paths are a plain 404). */
  tokens: ApiTokenConfig[];
  /** Writes per token and minute (API_RATE_LIMIT). */
  rateLimit: number;
}

const TOKEN_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

export function loadApiConfig(env: Env): ApiConfig {
  const entries = (env.API_TOKENS ?? "").split(/\s+/).filter(Boolean);
  const tokens = entries.map((entry, index) => apiToken(entry, index + 1));
  const names = tokens.map((token) => token.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw new ConfigError(`API_TOKENS: the name "${repeated}" is given twice`);
  return {
    tokens,
    rateLimit: wholeNumber("API_RATE_LIMIT", env.API_RATE_LIMIT?.trim() || "600", 1, 1_000_000),
  };
}

/** Errors name the entry by position and name, never by its secret. */
function apiToken(entry: string, position: number): ApiTokenConfig {
  const parts = entry.split(":");
  const [name, scopes] = parts;
  const where = `API_TOKENS entry ${position}${TOKEN_NAME.test(name) ? ` (${name})` : ""}`;
  const shape = "name:scopes:secret or name:scopes:providers:secret";
  if (parts.length !== 3 && parts.length !== 4)
    throw new ConfigError(`${where} must be ${shape}, with no ":" in the secret`);
  if (!TOKEN_NAME.test(name))
    throw new ConfigError(`${where}: the name must be 1 to 40 letters, digits, ".", "_" or "-"`);
  const secret = parts.at(-1)!;
  if (secret.length < MIN_TOKEN_LENGTH)
    throw new ConfigError(
      `${where}: the secret must be ${MIN_TOKEN_LENGTH} characters or more, got ${secret.length}; for example: openssl rand -base64 32`,
    );
  const scopeList = scopes.split(",");
  const unknown = scopeList.find((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (unknown !== undefined)
    throw new ConfigError(
      `${where}: no scope "${unknown}"; scopes are ${API_SCOPES.join(", ")}, comma-separated`,
    );
  const providers =
    parts.length === 4 ? parts[2].toLowerCase().split(",").filter(Boolean) : undefined;
  if (providers?.length === 0)
    throw new ConfigError(`${where}: the providers part is empty; leave it out for any provider`);
  return { name, scopes: scopeList as ApiScope[], ...(providers ? { providers } : {}), secret };
}

/** ActivityPub accounts for every feed (docs/federation.md): off unless FEDERATION=on. */
export interface FederationConfig {
  enabled: boolean;
  /**
   * FEDERATION_ALLOW_INSECURE=true lets outgoing fetches and deliveries reach plain http and private or
   * loopback addresses: for tests on one machine, never for a public server.
   */
  allowInsecure: boolean;
  /** Domains (and their subdomains) whose servers may not follow, and whose activities are refused. */
  blockedDomains: readonly string[];
}

export function loadFederationConfig(
  env: Env,
  config: Pick<Config, "publicUrl">,
): FederationConfig {
  const enabled = onOff("FEDERATION", env.FEDERATION?.trim() || "off");
  if (enabled && !config.publicUrl)
    throw new ConfigError(
      "FEDERATION=on needs PUBLIC_URL: an account's address (@ai@feeds.example.org) and its ids are built from it, and must not change; set PUBLIC_URL=https://your-feeds-host",
    );
  return {
    enabled,
    allowInsecure: yesNo(
      "FEDERATION_ALLOW_INSECURE",
      env.FEDERATION_ALLOW_INSECURE?.trim() || "false",
    ),
    blockedDomains: (env.FEDERATION_BLOCKED_DOMAINS ?? "")
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((domain) => domain.toLowerCase().replace(/^\*\./, "")),
  };
}

function onOff(name: string, value: string): boolean {
  if (/^(on|true)$/i.test(value)) return true;
  if (/^(off|false)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be on or off, got ${JSON.stringify(value)}`);
}
