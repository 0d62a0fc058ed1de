/**
 * A failing D1 never blanks the service: the Worker serves each URL's last
 * good answer, with its validators; a URL never served gets a 503 with
 * Retry-After, never a 500; a transient error is retried once; a hanging
 * read times out. D1 here is the real local one behind a binding that fails
 * on demand.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { createWorker } from "../../src/entry/worker-app.js";
import { StoreUnavailableError } from "../../src/index/store.js";
import { type D1Like, type D1StatementLike, createD1Store } from "../../src/sources/d1-store.js";

const { DB } = env as unknown as { DB: D1Like };

/** The real binding, but each call fails while `failing` says so for its SQL (`times` calls at most). */
function flaky(db: D1Like) {
  const state = { failing: (_sql: string) => false, times: Infinity, hang: false };
  const fail = async <T>(sql: string, call: () => Promise<T>): Promise<T> => {
    if (state.hang) return new Promise<T>(() => undefined);
    if (state.times > 0 && state.failing(sql)) {
      state.times--;
      throw new Error("D1_ERROR: no such table: meta: SQLITE_ERROR");
    }
    return call();
  };
  const sqlOf = new WeakMap<D1StatementLike, { sql: string; real: D1StatementLike }>();
  const wrap = (sql: string, real: D1StatementLike): D1StatementLike => {
    const statement: D1StatementLike = {
      bind: (...values) => wrap(sql, real.bind(...values)),
      all: <T>() => fail(sql, () => real.all<T>()),
      first: <T>() => fail(sql, () => real.first<T>()),
    };
    sqlOf.set(statement, { sql, real });
    return statement;
  };
  const binding: D1Like = {
    prepare: (sql) => wrap(sql, db.prepare(sql)),
    batch: <T>(statements: D1StatementLike[]) =>
      fail(statements.map((statement) => sqlOf.get(statement)!.sql).join("; "), () =>
        db.batch<T>(statements.map((statement) => sqlOf.get(statement)!.real)),
      ),
  };
  return {
    binding,
    failAll: (times = Infinity) => Object.assign(state, { failing: () => true, times }),
    failWhen: (failing: (sql: string) => boolean) =>
      Object.assign(state, { failing, times: Infinity }),
    hang: () => Object.assign(state, { hang: true }),
    heal: () => Object.assign(state, { failing: () => false, times: Infinity, hang: false }),
  };
}

const pending: Promise<unknown>[] = [];
const ctx = {
  waitUntil: (promise: Promise<unknown>) => pending.push(promise),
  passThroughOnException: () => undefined,
  props: {},
} as unknown as Parameters<ReturnType<typeof createWorker>["fetch"]>[2];
const EMPTY_BUNDLE = JSON.stringify({ version: "d1", articles: [], topics: [], providers: [] });

function setUp() {
  const d1 = flaky(DB);
  const worker = createWorker(EMPTY_BUNDLE);
  const get = async (path: string, init?: RequestInit) => {
    const response = await worker.fetch(
      new Request(`https://feeds.example.com${path}`, init),
      { DB: d1.binding },
      ctx,
    );
    await Promise.all(pending.splice(0));
    return response;
  };
  return { d1, get };
}

afterEach(() => void pending.splice(0));

describe("a failing D1", () => {
  it("serves a URL's last good answer with its validators, and 304 to a reader that has it", async () => {
    const { d1, get } = setUp();
    const good = await get("/feed.json");
    expect(good.status).toBe(200);
    const [body, etag, lastModified] = [
      await good.text(),
      good.headers.get("etag")!,
      good.headers.get("last-modified"),
    ];
    d1.failAll();
    const stale = await get("/feed.json");
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(body);
    expect(stale.headers.get("etag")).toBe(etag);
    expect(stale.headers.get("last-modified")).toBe(lastModified);
    const conditional = await get("/feed.json", { headers: { "If-None-Match": etag } });
    expect(conditional.status).toBe(304);
  });

  it("answers a URL never served with 503 and Retry-After, never a 500", async () => {
    const { d1, get } = setUp();
    d1.failAll();
    const response = await get("/topics/ai/feed.atom?limit=3");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("60");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers 503 too when the version reads but the page does not, and serves the last good answer where there is one", async () => {
    const { d1, get } = setUp();
    const good = await (await get("/providers.json")).text();
    d1.failWhen((sql) => !sql.includes("key = 'version'"));
    expect((await get("/topics.json")).status).toBe(503);
    const stale = await get("/providers.json");
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe(good);
  });

  it("retries a transient error once, and the reader never sees it", async () => {
    const { d1, get } = setUp();
    d1.failAll(1);
    const response = await get("/feed.rss?limit=7");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<rss");
  });

  it("gives up on a read that hangs, as a failure", async () => {
    const d1 = flaky(DB);
    d1.hang();
    const store = createD1Store(d1.binding, { now: () => Date.now(), timeoutMs: 30 });
    await expect(store.version()).rejects.toBeInstanceOf(StoreUnavailableError);
    d1.heal();
    expect(await store.version()).not.toBe("");
  });
});
