/**
 * The publishing API (docs/api.md, with its threat model): PUT, GET and
 * DELETE of one article by key, a list, and all-or-nothing batches, behind
 * bearer tokens with scopes. It answers the routes the URL scheme declares
 * (apiArticle, apiArticles), so without API_TOKENS they are a plain 404.
 * Where the writes land is `files`: a data folder on Node, D1 on a Worker
 * (a Worker with bundled content only has no such place, and apiUnavailable
 * says so with a 503).
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppExtension } from "../http/app.js";
import { clip } from "../http/errors.js";
import { PRIVATE } from "../http/guard.js";
import { respond } from "../http/headers.js";
import {
  ApiError,
  type GuardOptions,
  NO_API,
  type Problem,
  type Token,
  apiGuard,
  json,
  refusal,
  tokenKeeper,
} from "./auth.js";
import { indieauthRoutes, readIssued } from "./indieauth.js";
import { type Site, pathOf } from "../http/site.js";
import { ROUTES } from "../scheme/routes.js";
import {
  InvalidArticle,
  checkedKey,
  fieldsOf,
  fileTextOf,
  jsonBody,
  mediaTypeOf,
  parserLoaded,
} from "./document.js";
import { type StoreScope, scopeKey } from "../index/store.js";
import type { ApplyFor, ArticleFiles, Change } from "./writes.js";
import { micropubRoutes } from "./micropub.js";
import {
  ARTICLE_LIMIT_BYTES,
  type Guards,
  permitted,
  preconditions,
  tooLarge,
  validArticleFor,
} from "./rules.js";

export interface ApiRoutesOptions extends GuardOptions {
  /** Where articles are written: the data folder on Node, D1 on a Worker. */
  files: ArticleFiles;
  /**
   * Told of the live feeds a write changed, where the store works them out (D1): the Worker tells
   * the WebSub hubs after answering. On Node the live reload tells them.
   */
  announce?: (c: Context, scopes: StoreScope[]) => void;
}

/** A batch holds up to MAX_BATCH articles of a few kB each. */
const BATCH_LIMIT_BYTES = 8 * 1024 * 1024;
const MAX_BATCH = 1_000;
/** Validation yields to the event loop after this many articles, so that readers are answered meanwhile. */
const YIELD_EVERY = 50;

export function apiRoutes(options: ApiRoutesOptions): AppExtension {
  const { files, log = console.log, announce } = options;
  if (options.config.tokens.length === 0) return NO_API;
  const keeper = tokenKeeper(options.config);
  // A Micropub client's token comes from IndieAuth, signed with its API token's key.
  const guard = apiGuard({ ...options, keeper, issued: readIssued });
  const indieauth = indieauthRoutes({
    keeper,
    ...(options.addressOf ? { addressOf: options.addressOf } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  // Every handler may read an article: the parser is loaded before the first one runs.
  const handle: typeof guard = (write, handler, dialect) =>
    guard(
      write,
      async (c, token) => {
        await parserLoaded();
        return handler(c, token);
      },
      dialect,
    );
  const apply: ApplyFor = async (c, by, changes, check) => {
    const results = await files.apply(changes, check, by);
    const scopes = new Map(
      results.flatMap((result) => result.scopes ?? []).map((scope) => [scopeKey(scope), scope]),
    );
    if (announce && scopes.size > 0) announce(c, [...scopes.values()]);
    return results;
  };

  const putOne = async (c: Context, token: Token) => {
    const key = checkedKey(c.req.param("key") ?? "");
    const text = await articleText(c);
    validArticleFor(token, key, text);
    const change = { key, text };
    const [{ result, etag }] = await apply(c, token.name, [change], (_, stored) =>
      permitted(token, change, stored, preconditions(c)),
    );
    log(`feedloom api: ${token.name} PUT ${key} ${result}`);
    return json({ key, result, etag }, result === "created" ? 201 : 200, {
      ETag: etag!,
      // The article is where it was sent: the request's own path.
      ...(result === "created" ? { Location: pathOf(c.req.url) } : {}),
    });
  };

  const deleteOne = async (c: Context, token: Token) => {
    const key = checkedKey(c.req.param("key") ?? "");
    const [{ result }] = await apply(c, token.name, [{ key }], (change, stored) =>
      permitted(token, change, stored, preconditions(c)),
    );
    log(`feedloom api: ${token.name} DELETE ${key} ${result}`);
    if (result === "absent") throw new ApiError(404, `no article ${key}`);
    return respond(null, 204, PRIVATE);
  };

  const getOne = async (c: Context) => {
    const key = checkedKey(c.req.param("key") ?? "");
    const stored = await files.read(key);
    if (!stored) throw new ApiError(404, `no article ${key}`);
    if ((c.req.header("accept") ?? "").includes("text/markdown"))
      return respond(stored.text, 200, {
        ...PRIVATE,
        "Content-Type": "text/markdown; charset=utf-8",
        ETag: stored.etag,
      });
    return json({ key, etag: stored.etag, article: fieldsOf(stored.text) }, 200, {
      ETag: stored.etag,
    });
  };

  const batch = async (c: Context, token: Token) => {
    const { changes, guards } = batchOf(await jsonBody(c));
    const problems: (Problem & { key: string })[] = [];
    for (const [index, change] of changes.entries()) {
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((done) => setTimeout(done, 0));
      if (change.text === undefined) continue;
      try {
        validArticleFor(token, change.key, change.text);
      } catch (error) {
        if (!(error instanceof InvalidArticle)) throw error;
        problems.push(...error.problems.map((problem) => ({ key: change.key, ...problem })));
      }
    }
    if (problems.length > 0)
      throw new ApiError(
        422,
        `${new Set(problems.map((p) => p.key)).size} articles are invalid; nothing was applied`,
        {},
        problems,
      );
    const results = await apply(c, token.name, changes, (change, stored) =>
      permitted(token, change, stored, guards.get(change.key) ?? {}),
    );
    const summary = changes.map((change, index) => ({ key: change.key, ...results[index] }));
    log(
      `feedloom api: ${token.name} POST batch of ${changes.length}: ${clip(summary.map((s) => `${s.key} ${s.result}`).join(", "), 400)}`,
    );
    return json({ results: summary }, 200);
  };

  const list = async () => json({ articles: await files.list() }, 200);

  return {
    advertises: [
      { rel: "micropub", path: "/micropub" },
      { rel: "indieauth-metadata", path: "/.well-known/oauth-authorization-server" },
      // What clients written before the metadata document look for.
      { rel: "authorization_endpoint", path: "/auth" },
      { rel: "token_endpoint", path: "/token" },
    ],
    install(installed: Site) {
      const articleLimit = bodyLimit({
        maxSize: ARTICLE_LIMIT_BYTES,
        onError: () => refusal(tooLarge(ARTICLE_LIMIT_BYTES)),
      });
      const batchLimit = bodyLimit({
        maxSize: BATCH_LIMIT_BYTES,
        onError: () => refusal(tooLarge(BATCH_LIMIT_BYTES)),
      });
      installed.route(ROUTES.apiArticle, handle(false, getOne));
      installed.write(ROUTES.apiArticle, "PUT", articleLimit, handle(true, putOne));
      installed.write(ROUTES.apiArticle, "DELETE", articleLimit, handle(true, deleteOne));
      installed.route(ROUTES.apiArticles, handle(false, list));
      installed.write(ROUTES.apiArticles, "POST", batchLimit, handle(true, batch));
      micropubRoutes(installed, { files, apply, handle, log, now: options.now ?? Date.now });
      indieauth(installed);
    },
  };
}

/** The article's file text from the body: JSON fields, or the markdown file itself. */
async function articleText(c: Context): Promise<string> {
  const type = mediaTypeOf(c);
  if (type === "text/markdown") return c.req.text();
  if (type === "application/json") return fileTextOf(await jsonBody(c));
  throw new ApiError(
    415,
    "send the article as application/json (its fields) or text/markdown (its file)",
  );
}

/** The batch's changes, in order, and each entry's `ifMatch`; 400 for a malformed one. */
function batchOf(body: unknown): { changes: Change[]; guards: Map<string, Guards> } {
  const shape =
    'a batch is {"put": [{"key": …, "article": {…}} or {"key": …, "markdown": "…"}], "delete": ["key", …]}';
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new ApiError(400, shape);
  const { put = [], delete: remove = [] } = body as { put?: unknown; delete?: unknown };
  if (!Array.isArray(put) || !Array.isArray(remove)) throw new ApiError(400, shape);
  if (put.length + remove.length > MAX_BATCH)
    throw new ApiError(
      400,
      `a batch holds at most ${MAX_BATCH} writes, got ${put.length + remove.length}`,
    );
  const changes: Change[] = [];
  const guards = new Map<string, Guards>();
  const entry = (item: unknown, kind: "put" | "delete") => {
    const fields = (typeof item === "string" ? { key: item } : item) as Record<
      string,
      unknown
    > | null;
    if (typeof fields !== "object" || fields === null || typeof fields.key !== "string")
      throw new ApiError(400, `every ${kind} entry has a key: ${shape}`);
    const key = checkedKey(fields.key);
    if (guards.has(key)) throw new ApiError(400, `key ${key} is given twice in the batch`);
    guards.set(key, typeof fields.ifMatch === "string" ? { ifMatch: fields.ifMatch } : {});
    if (kind === "delete") return changes.push({ key });
    const text = typeof fields.markdown === "string" ? fields.markdown : fileTextOf(fields.article);
    changes.push({ key, text });
  };
  for (const item of put) entry(item, "put");
  for (const item of remove) entry(item, "delete");
  return { changes, guards };
}
