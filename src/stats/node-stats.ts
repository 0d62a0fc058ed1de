/**
 * Statistics on the Node server: the database under STATE_DIR, the counter
 * fed after each response, the client's address from the socket (or from
 * X-Forwarded-For when TRUST_PROXY says a proxy sets it), and the routes.
 */
import type { IncomingMessage } from "node:http";
import type { Context } from "hono";
import type { StatsConfig } from "../config.js";
import type { AppExtension } from "../http/app.js";
import { pathOf } from "../http/site.js";
import { createStatsCounter } from "./counter.js";
import { statsRoutes } from "./routes.js";
import { type SqliteFile, openSqliteFile, statsMigrations } from "./sqlite-file.js";
import { createStatsStore } from "./store.js";

export interface NodeStatistics {
  extension: AppExtension;
  /** Counts a response after it was made; never waits, never throws. */
  observe(request: Request, status: number, env: unknown): void;
  /** Counts an answer the fast path replayed (runtime/replay.ts): a request that never became a Request. */
  observeReplay(incoming: IncomingMessage, status: number): void;
  /** Writes what is not yet on disk. */
  close(): void;
  database: SqliteFile;
}

/** The client's address of a request @hono/node-server serves (its env holds the IncomingMessage). */
export function nodeClientAddress(
  env: unknown,
  headers: Headers,
  trustProxy: boolean,
): string | undefined {
  if (trustProxy) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return (env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
}

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

/** `fetch`, counting each response after it is made (the server's fetch, when statistics are on). */
export function countingFetch(statistics: NodeStatistics | undefined, fetch: Fetch): Fetch {
  if (!statistics) return fetch;
  return function countedFetch(request, env) {
    const answer = fetch(request, env);
    if (answer instanceof Response) {
      statistics.observe(request, answer.status, env);
      return answer;
    }
    return answer.then((response) => {
      statistics.observe(request, response.status, env);
      return response;
    });
  };
}

/** `/feed.rss` of a request target `/feed.rss?limit=10`. */
function withoutQuery(target: string): string {
  const query = target.indexOf("?");
  return query === -1 ? target : target.slice(0, query);
}

/** A header's first value from Node's raw list (name, value, name, value...), names in any case. */
function rawHeader(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i].length === lowerName.length && raw[i].toLowerCase() === lowerName) return raw[i + 1];
  return undefined;
}

export async function nodeStatistics(
  config: StatsConfig,
  basePath: string,
  stateDir: string,
  followers?: () => ReadonlyMap<string, number>,
): Promise<NodeStatistics | undefined> {
  if (config.token === undefined) return undefined;
  const database = await openSqliteFile(stateDir, statsMigrations());
  const store = createStatsStore(database, config);
  const counter = createStatsCounter(store, basePath);
  const observe = (request: Request, status: number, env: unknown): void => {
    // From the IncomingMessage as Node parsed it: its `headers` object is built on first use, and the Request's on first use too.
    const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const path = incoming?.url === undefined ? pathOf(request.url) : withoutQuery(incoming.url);
    const userAgent = incoming?.rawHeaders
      ? rawHeader(incoming.rawHeaders, "user-agent")
      : (request.headers.get("user-agent") ?? undefined);
    const address =
      config.trustProxy || !incoming
        ? nodeClientAddress(env, request.headers, config.trustProxy)
        : incoming.socket.remoteAddress;
    counter
      .count({ path, status, userAgent, address, at: Date.now() })
      ?.catch((error: unknown) =>
        console.warn(
          `feedloom: statistics: a request was not counted: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  };
  return {
    extension: statsRoutes({
      token: config.token,
      store,
      addressOf: (c: Context) => nodeClientAddress(c.env, c.req.raw.headers, config.trustProxy),
      ...(followers ? { followers } : {}),
    }),
    observe,
    observeReplay(incoming, status) {
      // The headers are read only behind a proxy (TRUST_PROXY), for X-Forwarded-For.
      const headers = {
        get: (name: string) => (incoming.headers[name] as string | undefined) ?? null,
      };
      observe({ url: "", headers } as unknown as Request, status, { incoming });
    },
    close: () => database.close(),
    database,
  };
}
