/**
 * The Node server's fast path: a response the router already made is sent
 * again, byte for byte, straight from node:http, before a Request object, the
 * router or a middleware is made or run. Most feed traffic is the same few
 * feeds asked again and again, so most requests end here.
 *
 * It replays only what is certain to be the same answer: the same method,
 * host and target, the same request headers the answer can depend on
 * (Accept-Encoding, Accept, If-None-Match, If-Modified-Since, Origin), the
 * same content version and digest day (`tag`), and an answer the router marked
 * public: `Cache-Control: public` is what the routes say of answers made from
 * the content alone (guarded routes are private; federation's follower count,
 * which changes with its state, is not public), so never kept otherwise. A request carrying a
 * cookie, credentials or a range goes to the router. So each status, header,
 * validator and 304 is the router's own; the statistics count a replay as
 * they count the router's answer. Whatever is not kept, or no longer current,
 * goes to the router, which is always right.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { currentDayKey } from "../index/digest.js";
import type { MemoryStore } from "../index/store.js";

/** Replayed answers kept at most, and their bytes (compressed feeds of a few tens of kB each). */
const MAX_ENTRIES = 2_000;
const MAX_BYTES = 64 * 1024 * 1024;

/** The request headers an answer may depend on, in the key's order. */
const KEYED = ["host", "accept-encoding", "accept", "if-none-match", "if-modified-since", "origin"];
/** Requests with these go to the router: answers that depend on who asks are never replayed. */
const PERSONAL = new Set(["cookie", "authorization", "range"]);

interface Entry {
  tag: string;
  status: number;
  /** As writeHead takes them: name, value, name, value. */
  headers: string[];
  body: Buffer;
}

/** A header the request did not send: unlike one sent empty (the router tells them apart). */
const ABSENT = "\u0000";

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

export interface Replay {
  /** Sends the kept answer to this request and returns true, or returns false (the router answers). */
  serve(incoming: IncomingMessage, outgoing: ServerResponse): boolean;
  /** The router's answer to `incoming`, made under `tag`: kept when it may be replayed. */
  offer(incoming: IncomingMessage, response: Response, tag: string): void;
  /** A node:http listener: replays what it can, and hands the rest to `fetch` (the app) through @hono/node-server. */
  listener(fetch: Fetch): RequestListener;
}

export function createReplay(options: {
  /** The content version and digest day now: an answer is replayed only under the tag it was made under. */
  tag: () => string;
  /** Told of each replayed answer (the statistics count it). */
  observe?: (incoming: IncomingMessage, status: number) => void;
}): Replay {
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const forget = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.body.length;
  };
  const replay: Replay = {
    serve(incoming, outgoing) {
      const key = keyOf(incoming);
      const entry = key === undefined ? undefined : entries.get(key);
      if (!entry) return false;
      if (entry.tag !== options.tag()) {
        forget(key!);
        return false;
      }
      outgoing.writeHead(entry.status, entry.headers);
      outgoing.end(incoming.method === "HEAD" ? undefined : entry.body);
      options.observe?.(incoming, entry.status);
      return true;
    },
    offer(incoming, response, tag) {
      const key = keyOf(incoming);
      if (key === undefined || !replayable(response)) return;
      const headers = [...response.headers].flat();
      void response
        .clone()
        .arrayBuffer()
        .then((body) => {
          forget(key);
          while (entries.size >= MAX_ENTRIES || bytes + body.byteLength > MAX_BYTES) {
            const oldest = entries.keys().next();
            if (oldest.done) break;
            forget(oldest.value);
          }
          entries.set(key, { tag, status: response.status, headers, body: Buffer.from(body) });
          bytes += body.byteLength;
        });
    },
    listener(fetch) {
      const router = getRequestListener(async (request, env) => {
        // The tag of the content the router is about to answer from, not of the content when it is done.
        const tag = options.tag();
        const response = await fetch(request, env);
        replay.offer((env as { incoming: IncomingMessage }).incoming, response, tag);
        return response;
      });
      return (incoming, outgoing) => {
        if (!replay.serve(incoming, outgoing)) void router(incoming, outgoing);
      };
    },
  };
  return replay;
}

/**
 * The tag a replay is kept under: the store's content version (which counts the scheduled articles
 * still to go out) and the digest day, as the render cache keys renders. Worked out once a second
 * per store: a scheduled article goes out on a whole second, and a reload brings a new store.
 */
export function contentTag(
  store: () => MemoryStore,
  now: () => number,
  timeZone: string,
): () => string {
  let known: { store: MemoryStore; second: number; tag: string } | undefined;
  return () => {
    const at = now();
    const second = Math.floor(at / 1000);
    const current = store();
    if (known?.store !== current || known.second !== second)
      known = {
        store: current,
        second,
        tag: `${current.versionNow()}@${currentDayKey(at, timeZone)}`,
      };
    return known.tag;
  };
}

/** 200s and 304s the router marked public, with nothing set for the one client. */
function replayable(response: Response): boolean {
  if (response.status !== 200 && response.status !== 304) return false;
  const cacheControl = response.headers.get("cache-control") ?? "";
  return (
    /\bpublic\b/.test(cacheControl) &&
    !/no-store|private/.test(cacheControl) &&
    !response.headers.has("set-cookie")
  );
}

/** The lengths of the names keyOf looks at: any other header is skipped without lowercasing it. */
const LOOKED_AT = new Set([...KEYED, ...PERSONAL].map((name) => name.length));

/** Method, target and the keyed headers, or undefined for a request that is not replayed. */
function keyOf(incoming: IncomingMessage): string | undefined {
  const method = incoming.method;
  if (method !== "GET" && method !== "HEAD") return undefined;
  const values = KEYED.map(() => ABSENT);
  const raw = incoming.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (!LOOKED_AT.has(raw[i].length)) continue;
    const name = raw[i].toLowerCase();
    if (PERSONAL.has(name)) return undefined;
    const at = KEYED.indexOf(name);
    if (at === -1) continue;
    // A header sent twice is not guessed at: the router reads it its own way.
    if (values[at] !== ABSENT) return undefined;
    values[at] = raw[i + 1];
  }
  return `${method} ${incoming.url}\n${values.join("\n")}`;
}
