/**
 * What every answer of the publishing API shares, wherever its writes land:
 * bearer tokens checked against digests (the secrets are not kept), slowed
 * failures, a write budget per token, and refusals as JSON that say what to
 * fix. Web Crypto and no parser, so that a Worker carries it cheaply.
 */
import type { Context } from "hono";
import type { ApiConfig, ApiScope } from "../config.js";
import type { AppExtension } from "../http/app.js";
import { HttpError, clip } from "../http/errors.js";
import { pathOf } from "../http/site.js";
import { PRIVATE, failureDelay, sameDigest, secretDigest } from "../http/guard.js";
import { respond } from "../http/headers.js";

export interface Token {
  name: string;
  scopes: readonly ApiScope[];
  providers?: readonly string[];
  digest: Uint8Array;
  /** Signs what IndieAuth issues for this token (codes and access tokens): derived from its secret, never served. */
  grantKey: CryptoKey;
}

export interface Problem {
  field: string;
  reason: string;
}

export interface GuardOptions {
  config: ApiConfig;
  /** The client's address, for slowing its failures (undefined: one bucket for all). */
  addressOf?: (c: Context) => string | undefined;
  now?: () => number;
  /** Where each write's one line goes, a refused one's too: the token's name, never its secret. */
  log?: (line: string) => void;
}

/** A refusal with what to fix, and for an invalid article every problem. */
export class ApiError extends HttpError {
  constructor(
    status: ConstructorParameters<typeof HttpError>[0],
    message: string,
    headers: Record<string, string> = {},
    readonly problems?: readonly (Problem & { key?: string })[],
  ) {
    super(status, message, headers);
  }
}

const JSON_HEADERS = { ...PRIVATE, "Content-Type": "application/json; charset=utf-8" };
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="feedloom api"' };

export function json(
  body: unknown,
  status: number,
  headers: Record<string, string> = {},
): Response {
  return respond(`${JSON.stringify(body)}\n`, status, { ...JSON_HEADERS, ...headers });
}

export function refusal(error: HttpError): Response {
  const problems = error instanceof ApiError ? error.problems : undefined;
  return json(
    { error: { status: error.status, message: error.message, ...(problems ? { problems } : {}) } },
    error.status,
    error.headers,
  );
}

/**
 * A handler wrapper: authenticates, counts a write against the token's minute, runs the handler,
 * and answers every refusal as JSON.
 */
/** An access token IndieAuth issued starts so (src/api/indieauth.tsx); a secret of API_TOKENS never does. */
export const ISSUED_PREFIX = "fl1";

/** The tokens of API_TOKENS, known by digests alone: the secrets are not held past start. */
export interface TokenKeeper {
  /** The token whose secret this is; every token is compared, so the time does not say which. */
  bySecret(secret: string): Promise<Token | undefined>;
  /** The tokens by name, for what IndieAuth issued in one's name. */
  byName(name: string): Promise<Token | undefined>;
}

export function tokenKeeper(config: ApiConfig): TokenKeeper {
  const tokens: Promise<Token[]> = Promise.all(
    config.tokens.map(async ({ secret, ...token }) => ({
      ...token,
      digest: await secretDigest(secret),
      grantKey: await crypto.subtle.importKey(
        "raw",
        await secretDigest(`feedloom indieauth\0${secret}`),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign", "verify"],
      ),
    })),
  );
  return {
    async bySecret(secret) {
      const digest = await secretDigest(secret);
      const matched = (await tokens).filter((token) => sameDigest(token.digest, digest));
      return matched.length === 1 ? matched[0] : undefined;
    },
    byName: async (name) => (await tokens).find((token) => token.name === name),
  };
}

/** Reads an access token IndieAuth issued (none here: see indieauth.tsx), given the keeper. */
export type IssuedReader = (
  bearer: string,
  keeper: TokenKeeper,
  now: number,
) => Promise<Token | undefined>;

export function apiGuard({
  config,
  addressOf,
  now = Date.now,
  log = console.log,
  keeper = tokenKeeper(config),
  issued,
}: GuardOptions & { keeper?: TokenKeeper; issued?: IssuedReader }) {
  const delay = failureDelay(now);
  const writes = new Map<string, { window: number; count: number }>();

  const authenticated = async (c: Context, elsewhere?: Dialect["bearer"]): Promise<Token> => {
    const header = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const bearer = header ?? (await elsewhere?.(c));
    const found =
      bearer === undefined
        ? undefined
        : bearer.startsWith(`${ISSUED_PREFIX}.`)
          ? await issued?.(bearer, keeper, now())
          : await keeper.bySecret(bearer);
    if (found) return found;
    if (bearer !== undefined) await delay(addressOf?.(c) ?? "unknown");
    throw new ApiError(
      401,
      "send Authorization: Bearer <a secret of API_TOKENS, or a token IndieAuth issued>",
      CHALLENGE,
    );
  };
  /** A fixed window per token and minute: a batch counts once. */
  const count = (token: Token) => {
    const window = Math.floor(now() / 60_000);
    const seen = writes.get(token.name);
    const sent = seen?.window === window ? seen.count + 1 : 1;
    writes.set(token.name, { window, count: sent });
    if (sent > config.rateLimit)
      throw new ApiError(
        429,
        `token ${token.name}: more than ${config.rateLimit} writes this minute (API_RATE_LIMIT)`,
        { "Retry-After": String(60 - Math.floor((now() / 1000) % 60)) },
      );
  };
  return (
      write: boolean,
      handler: (c: Context, token: Token) => Promise<Response>,
      { bearer, refuse = refusal }: Dialect = {},
    ) =>
    async (c: Context) => {
      let token: Token | undefined;
      try {
        token = await authenticated(c, bearer);
        if (write) count(token);
        return await handler(c, token);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        // A refused write is logged as an accepted one is: who (if anyone), what, and why.
        if (write)
          log(
            `feedloom api: ${token?.name ?? "(no valid token)"} ${c.req.method} ${clip(pathOf(c.req.url))} refused ${error.status}: ${clip(error.message, 200)}`,
          );
        return refuse(error);
      }
    };
}

/** How a protocol on top of the API (Micropub) differs: where else its token may be, how it refuses. */
export interface Dialect {
  /** The token when the Authorization header has none (Micropub's access_token in the form). */
  bearer?: (c: Context) => Promise<string | undefined>;
  refuse?: (error: HttpError) => Response;
}

/** No API_TOKENS: no API, and its paths are the plain 404 of any unknown address. */
export const NO_API: AppExtension = { install: () => {} };
