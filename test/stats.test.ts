/**
 * Subscriber statistics (docs/statistics.md): who counts, with the real
 * User-Agents of aggregators, readers, browsers and crawlers; readers once
 * over a rolling 7 days; aggregators' latest counts, bounded against spoofs;
 * a store that holds no address, survives a restart and forgets old days; and
 * the operator's routes: 404 without a token, 401 (slowed) with a wrong one,
 * 200 with the right one, nothing cacheable.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadStatsConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { everyStaticUrl } from "../src/scheme/routes.js";
import { SITE_ASSETS } from "../src/http/assets.js";
import { addDays, classifyClient } from "../src/stats/clients.js";
import { createStatsCounter } from "../src/stats/counter.js";
import { nodeClientAddress, nodeStatistics } from "../src/stats/node-stats.js";
import { statsRoutes } from "../src/stats/routes.js";
import { openSqliteFile, statsMigrations } from "../src/stats/sqlite-file.js";
import { createStatsStore } from "../src/stats/store.js";
import { fixtureApp, htmlProblems } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-stats-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const TOKEN = "correct-horse-battery-staple-42";
const DAY = Date.parse("2026-11-20T00:00:00Z");
const at = (day: number, hour = 0) => DAY + day * 86_400_000 + hour * 3_600_000;
const dayAt = (day: number) => new Date(at(day)).toISOString().slice(0, 10);

export const USER_AGENTS = {
  feedly: "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 462 subscribers; )",
  inoreader: "Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)",
  feedbin: "Feedbin feed-id:1697787 - 102 subscribers",
  newsblur:
    "NewsBlur Feed Fetcher - 27 subscribers - https://www.newsblur.com/site/6052315/a-i-every-day (Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4)",
  theoldreader:
    "Mozilla/5.0 (compatible; theoldreader.com; 1 subscribers; feed-id=5f2a1c0e8b7d4e001234abcd)",
  bazqux: "Mozilla/5.0 (compatible; BazQux/2.4; +https://bazqux.com/fetcher; 1 subscribers)",
  newsboat: "Newsboat/2.36 (Linux x86_64)",
  netnewswire: "NetNewsWire (RSS Reader; https://netnewswire.com/)",
  thunderbird: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0",
  miniflux: "Mozilla/5.0 (compatible; Miniflux/2.2.3; +https://miniflux.app)",
  chrome:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  firefox: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  safari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  googlebot: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  bingbot:
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
  curl: "curl/8.5.0",
  python: "python-requests/2.32.3",
};

async function freshStore(name: string, options = { retentionDays: 90, claimCeiling: 1000 }) {
  const dir = join(work, name);
  const database = await openSqliteFile(dir, statsMigrations());
  const store = createStatsStore(database, options);
  return { dir, database, store, counter: createStatsCounter(store, "") };
}

describe("who counts", () => {
  it("reads aggregators' counts and feed-ids from their real User-Agents", () => {
    expect(classifyClient(USER_AGENTS.feedly)).toEqual({
      kind: "aggregator",
      service: "Feedly",
      subscribers: 462,
      feedId: "",
    });
    expect(classifyClient(USER_AGENTS.inoreader)).toEqual({
      kind: "aggregator",
      service: "Inoreader",
      subscribers: 114,
      feedId: "",
    });
    expect(classifyClient(USER_AGENTS.feedbin)).toEqual({
      kind: "aggregator",
      service: "Feedbin",
      subscribers: 102,
      feedId: "1697787",
    });
    expect(classifyClient(USER_AGENTS.newsblur)).toEqual({
      kind: "aggregator",
      service: "NewsBlur",
      subscribers: 27,
      feedId: "6052315",
    });
    expect(classifyClient(USER_AGENTS.theoldreader)).toEqual({
      kind: "aggregator",
      service: "The Old Reader",
      subscribers: 1,
      feedId: "5f2a1c0e8b7d4e001234abcd",
    });
    expect(classifyClient(USER_AGENTS.bazqux)).toEqual({
      kind: "aggregator",
      service: "BazQux",
      subscribers: 1,
      feedId: "",
    });
  });

  it("counts individual readers, and neither browsers nor crawlers", () => {
    for (const reader of ["newsboat", "netnewswire", "thunderbird", "miniflux"] as const)
      expect(classifyClient(USER_AGENTS[reader]).kind, reader).toBe("reader");
    for (const browser of ["chrome", "firefox", "safari"] as const)
      expect(classifyClient(USER_AGENTS[browser]).kind, browser).toBe("browser");
    for (const crawler of ["googlebot", "bingbot", "curl", "python"] as const)
      expect(classifyClient(USER_AGENTS[crawler]).kind, crawler).toBe("crawler");
    expect(classifyClient(undefined).kind).toBe("crawler");
    // A count in any other User-Agent is no count: one reader at most.
    expect(
      classifyClient("Mozilla/5.0 (compatible; MyFetcher/1.0; 1000000 subscribers)").kind,
    ).toBe("reader");
    expect(classifyClient("NewsBlur Feed Fetcher - 9999999999 subscribers").kind).toBe("reader");
  });
});

describe("counting", () => {
  it("counts a reader once over a rolling 7 days, however often it polls, 304s included", async () => {
    const { store, counter } = await freshStore("rolling");
    const poll = (day: number, agent: keyof typeof USER_AGENTS, address: string, status = 200) =>
      counter.count({
        path: "/feed.rss",
        status,
        userAgent: USER_AGENTS[agent],
        address,
        at: at(day, 1),
      });
    for (let hour = 0; hour < 24; hour++)
      await counter.count({
        path: "/feed.rss",
        status: hour % 2 ? 304 : 200,
        userAgent: USER_AGENTS.newsboat,
        address: "192.0.2.1",
        at: at(0, hour),
      });
    await poll(0, "netnewswire", "192.0.2.2", 304);
    await poll(0, "chrome", "192.0.2.3");
    await poll(0, "googlebot", "192.0.2.4");
    await poll(0, "newsboat", "192.0.2.5", 404); // an error is no poll
    await counter.count({
      path: "/feed/archive/1.rss",
      status: 200,
      userAgent: USER_AGENTS.newsboat,
      address: "192.0.2.6",
      at: at(0, 1),
    });
    // The same reader on another address, or another reader on the same address, is another client.
    await poll(0, "newsboat", "192.0.2.7");
    await poll(0, "thunderbird", "192.0.2.7");
    // 192.0.2.1 polls again on day 5 (a weekly poller would look the same); 192.0.2.2 never again.
    await poll(5, "newsboat", "192.0.2.1");
    await poll(12, "miniflux", "192.0.2.9");
    const report = await store.report(dayAt(12));
    const days = new Map(report[0].days.map((day) => [day.date, day.subscribers]));
    expect(days.get(dayAt(0))).toBe(4);
    expect(days.get(dayAt(5))).toBe(4); // the window still holds day 0's four
    expect(days.get(dayAt(6))).toBe(4);
    expect(days.get(dayAt(7))).toBe(1); // day 0 left the window; 192.0.2.1 was seen on day 5
    expect(days.get(dayAt(11))).toBe(1);
    expect(report[0].days.at(-1)).toEqual({ date: dayAt(12), subscribers: 1 });
    expect(report[0]).toMatchObject({
      path: "/feed.rss",
      individuals: 1,
      subscribers: 1,
      aggregators: {},
    });
  });

  it("takes an aggregator's latest count, never a sum; per feed-id where it gives one", async () => {
    const { store, counter } = await freshStore("claims");
    const claim = (agent: string, day = 0, path = "/feed.atom") =>
      counter.count({
        path,
        status: 200,
        userAgent: agent,
        address: "203.0.113.9",
        at: at(day, 2),
      });
    for (let i = 0; i < 20; i++) await claim(USER_AGENTS.feedly);
    await claim(USER_AGENTS.feedly.replace("462", "470"));
    await claim(USER_AGENTS.feedly);
    expect((await store.report(dayAt(0)))[0].aggregators.Feedly).toBe(462); // back to 462: the latest, again
    await claim(USER_AGENTS.feedly.replace("462", "470"));
    await claim(USER_AGENTS.feedbin);
    await claim(USER_AGENTS.feedbin.replace("1697787", "1697788").replace("102", "3"));
    await claim(USER_AGENTS.inoreader, 0, "/topics/ai/feed.rss");
    const [atom, ai] = await store.report(dayAt(0));
    expect(atom).toMatchObject({
      path: "/feed.atom",
      aggregators: { Feedly: 470, Feedbin: 105 },
      individuals: 0,
      subscribers: 575,
    });
    expect(ai).toMatchObject({
      path: "/topics/ai/feed.rss",
      aggregators: { Inoreader: 114 },
      subscribers: 114,
    });
    // A service that stops polling keeps its latest count for 7 days, then no more.
    expect(
      (await store.report(dayAt(6))).find((feed) => feed.path === "/feed.atom")?.aggregators.Feedly,
    ).toBe(470);
    expect(
      (await store.report(dayAt(7))).find((feed) => feed.path === "/feed.atom")?.aggregators.Feedly,
    ).toBeUndefined();
  });

  it("bounds a spoofed claim: a first count up to the ceiling, then at most twice the day before; 3 feed-ids per service at most", async () => {
    const { store, counter } = await freshStore("spoofs");
    const spoof = (day: number, subscribers: number, site = "1") =>
      counter.count({
        path: "/feed.rss",
        status: 200,
        userAgent: `NewsBlur Feed Fetcher - ${subscribers} subscribers - https://www.newsblur.com/site/${site}/x`,
        address: "198.51.100.1",
        at: at(day),
      });
    await spoof(0, 1_000_000);
    expect((await store.report(dayAt(0)))[0].aggregators.NewsBlur).toBe(1000);
    await spoof(1, 1_000_000);
    expect((await store.report(dayAt(1)))[0].aggregators.NewsBlur).toBe(2000);
    // Within a day, repeating the claim ratchets nothing.
    for (let i = 0; i < 5; i++) await spoof(1, 999_999 - i);
    expect((await store.report(dayAt(1)))[0].aggregators.NewsBlur).toBe(2000);
    // Invented feed-ids: three count, the rest do not.
    for (let site = 2; site <= 10; site++) await spoof(1, 1_000_000, String(site));
    expect((await store.report(dayAt(1)))[0].aggregators.NewsBlur).toBe(2000 + 1000 + 1000);
    // A true, lower count is taken as it is.
    await spoof(2, 27);
    expect((await store.report(dayAt(2)))[0].aggregators.NewsBlur).toBe(27 + 1000 + 1000);
  });
});

describe("the store", () => {
  it("holds no address, and no User-Agent: 24-bit hashes under daily keys", async () => {
    const { store, counter, database } = await freshStore("private");
    const address = "203.0.113.77";
    await counter.count({
      path: "/feed.rss",
      status: 200,
      userAgent: USER_AGENTS.newsboat,
      address,
      at: at(0),
    });
    await counter.count({
      path: "/feed.rss",
      status: 200,
      userAgent: USER_AGENTS.newsboat,
      address: "2001:db8::1",
      at: at(1),
    });
    const bytes = Buffer.from(database.bytes());
    for (const secret of [address, "2001:db8::1", "Newsboat", "203.0.113"])
      expect(bytes.includes(secret), secret).toBe(false);
    const [hashes] = await database.batch([{ sql: "SELECT hash FROM stats_clients", params: [] }]);
    expect(hashes.length).toBe(2);
    for (const { hash } of hashes) expect(Number(hash)).toBeLessThan(2 ** 24);
    expect((await store.report(dayAt(1)))[0].individuals).toBe(2);
  });

  it("keeps its counts across a restart (written at shutdown, and every 30 seconds)", async () => {
    const dir = join(work, "restart");
    const stats = { token: TOKEN, retentionDays: 90, claimCeiling: 1000, trustProxy: false };
    const first = await nodeStatistics(stats, "", dir);
    // As @hono/node-server hands them over: the Request, and the IncomingMessage in its env.
    const served = (target: string, agent: string, address: string) =>
      [
        new Request(`http://localhost${target}`, { headers: { "User-Agent": agent } }),
        {
          incoming: {
            url: target,
            rawHeaders: ["Host", "localhost", "User-Agent", agent],
            socket: { remoteAddress: address },
          },
        },
      ] as const;
    const [reader, readerEnv] = served("/feed.rss?limit=10", USER_AGENTS.newsboat, "192.0.2.50");
    first!.observe(reader, 200, readerEnv);
    const [feedly, feedlyEnv] = served("/feed.json", USER_AGENTS.feedly, "192.0.2.51");
    first!.observe(feedly, 304, feedlyEnv);
    await new Promise((resolve) => setTimeout(resolve, 200));
    first!.close();
    expect(readFileSync(join(dir, "stats.sqlite")).byteLength).toBeGreaterThan(0);
    const second = await nodeStatistics(stats, "", dir);
    const report = await createStatsStore(second!.database, stats).report(
      new Date().toISOString().slice(0, 10),
    );
    second!.close();
    expect(report.map((feed) => [feed.path, feed.subscribers])).toEqual([
      ["/feed.json", 462],
      ["/feed.rss", 1],
    ]);
  });

  it("deletes daily totals past the retention, hashes and claims after 8 days, keys after 7", async () => {
    const { store, counter, database } = await freshStore("retention", {
      retentionDays: 30,
      claimCeiling: 1000,
    });
    await counter.count({
      path: "/feed.rss",
      status: 200,
      userAgent: USER_AGENTS.newsboat,
      address: "192.0.2.1",
      at: at(0),
    });
    await counter.count({
      path: "/feed.rss",
      status: 200,
      userAgent: USER_AGENTS.feedly,
      address: "192.0.2.2",
      at: at(0),
    });
    const rows = async () => {
      const [clients, claims, keys, days] = await database.batch(
        ["stats_clients", "stats_claims", "stats_keys", "stats_days"].map((table) => ({
          sql: `SELECT COUNT(*) AS n FROM ${table}`,
          params: [],
        })),
      );
      return [clients, claims, keys, days].map((result) => Number(result[0].n));
    };
    await store.maintain(dayAt(7));
    expect(await rows()).toEqual([1, 1, 0, 7]); // day 0's hash and claim still total day 6; its key is gone
    await store.maintain(dayAt(8));
    expect(await rows()).toEqual([0, 0, 0, 7]);
    await store.maintain(dayAt(30));
    expect(
      (await store.report(dayAt(30))).flatMap((feed) => feed.days.map((day) => day.date)),
    ).toEqual([dayAt(1), dayAt(2), dayAt(3), dayAt(4), dayAt(5), dayAt(6)]);
    await store.maintain(dayAt(40));
    expect(await rows()).toEqual([0, 0, 0, 0]);
  });
});

describe("/stats/ and /stats.json", async () => {
  const { store: content, config } = await fixtureApp();
  const { store } = await freshStore("routes");
  await createStatsCounter(store, "").count({
    path: "/feed.rss",
    status: 200,
    userAgent: USER_AGENTS.feedly,
    address: "192.0.2.1",
    at: Date.now(),
  });
  const app = createApp({
    store: content,
    config,
    extensions: [statsRoutes({ token: TOKEN, store })],
  });
  const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
  const expectPrivate = (response: Response) => {
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  };

  it("are a plain 404, like any unknown address, without STATS_TOKEN", async () => {
    const off = createApp({
      store: content,
      config,
      extensions: [statsRoutes({ token: undefined })],
    });
    for (const path of ["/stats/", "/stats.json"]) {
      const [stats, unknown] = await Promise.all([
        off.request(path, bearer(TOKEN)),
        off.request(path.replace("stats", "nothing-here"), bearer(TOKEN)),
      ]);
      expect(stats.status).toBe(404);
      expect((await stats.text()).replace(/stats/g, "nothing-here")).toBe(await unknown.text());
    }
    expect((await off.request("/stats/", { method: "POST" })).status).toBe(405);
  });

  it("answer a wrong token 401, each failure slower than the one before; the right one 200", async () => {
    const started = performance.now();
    const first = await app.request("/stats.json", bearer("not-the-token-at-all-no-no"));
    const firstMs = performance.now() - started;
    expect(first.status).toBe(401);
    expect(first.headers.get("www-authenticate")).toContain("Bearer");
    expectPrivate(first);
    const again = performance.now();
    expect((await app.request("/stats.json", bearer("still-not-the-token-at-all"))).status).toBe(
      401,
    );
    const secondMs = performance.now() - again;
    expect(firstMs).toBeGreaterThanOrEqual(240);
    expect(secondMs).toBeGreaterThanOrEqual(490);
    const right = await app.request("/stats.json", bearer(TOKEN));
    expect(right.status).toBe(200);
    expectPrivate(right);
    const body = (await right.json()) as {
      feeds: {
        path: string;
        subscribers: number;
        aggregators: Record<string, number>;
        individuals: number;
        days: { date: string; subscribers: number }[];
      }[];
    };
    expect(body.feeds).toEqual([
      {
        path: "/feed.rss",
        subscribers: 462,
        aggregators: { Feedly: 462 },
        individuals: 0,
        days: [{ date: new Date().toISOString().slice(0, 10), subscribers: 462 }],
      },
    ]);
  });

  it("sign in through a form that sets an HttpOnly, Secure, SameSite=Strict cookie holding no token", async () => {
    const form = await app.request("/stats/");
    expect(form.status).toBe(401);
    expectPrivate(form);
    const formHtml = await form.text();
    expect(formHtml).toContain('<form class="filter" method="post" action="/stats/">');
    expect(await htmlProblems(formHtml)).toEqual([]);
    const wrong = await app.request("/stats/", {
      method: "POST",
      body: new URLSearchParams({ token: "x" }),
    });
    expect(wrong.status).toBe(401);
    const signedIn = await app.request("/stats/", {
      method: "POST",
      body: new URLSearchParams({ token: TOKEN }),
    });
    expect([signedIn.status, signedIn.headers.get("location")]).toEqual([303, "/stats/"]);
    const cookie = signedIn.headers.get("set-cookie")!;
    expect(cookie).toMatch(
      /^feedloom_stats=[\w-]{40,}; Path=\/stats; HttpOnly; Secure; SameSite=Strict; Max-Age=\d+$/,
    );
    expect(cookie).not.toContain(TOKEN);
    // A form past 4 kB is refused while it streams in, Content-Length or not, and signs nobody in.
    const chunked = new ReadableStream({
      start(controller) {
        const chunk = new TextEncoder().encode(`token=${TOKEN}&pad=${"x".repeat(1000)}`);
        for (let sent = 0; sent < 5; sent++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const oversized = await app.request("/stats/", {
      method: "POST",
      body: chunked,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      duplex: "half",
    } as RequestInit);
    expect([oversized.status, oversized.headers.get("set-cookie")]).toEqual([413, null]);
    expect(await oversized.text()).toContain("That form is too large");
    const page = await app.request("/stats/", { headers: { Cookie: cookie.split(";")[0] } });
    expect(page.status).toBe(200);
    expectPrivate(page);
    const html = await page.text();
    expect(html).toContain("462 subscribers today");
    expect(html).toMatch(/<svg role="img" aria-label="Subscribers of \/feed.rss/);
    expect(await htmlProblems(html)).toEqual([]);
    // A forged cookie is no session.
    expect(
      (await app.request("/stats/", { headers: { Cookie: "feedloom_stats=forged" } })).status,
    ).toBe(401);
    const out = await app.request("/stats/", {
      method: "POST",
      body: new URLSearchParams({ signout: "1" }),
      headers: { Cookie: cookie.split(";")[0] },
    });
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
  });

  it("are in no sitemap, export or public page, and take no other method", async () => {
    const assets = SITE_ASSETS.map((asset) => asset.path);
    const urls = (await everyStaticUrl(content, config, assets)).map((entry) => entry.url);
    expect(urls.filter((url) => url.includes("stats"))).toEqual([]);
    for (const path of ["/sitemap.xml", "/", "/robots.txt"])
      expect(await (await app.request(path)).text()).not.toContain("/stats");
    expect((await app.request("/feed.rss", { method: "POST" })).status).toBe(405);
  });

  it("take the client's address from the socket, and from X-Forwarded-For only behind a trusted proxy", () => {
    const env = { incoming: { socket: { remoteAddress: "10.0.0.2" } } };
    const headers = new Headers({ "X-Forwarded-For": "198.51.100.7, 10.0.0.1" });
    expect(nodeClientAddress(env, headers, false)).toBe("10.0.0.2");
    expect(nodeClientAddress(env, headers, true)).toBe("198.51.100.7");
    expect(nodeClientAddress(env, new Headers(), true)).toBe("10.0.0.2");
  });

  it("refuse a short STATS_TOKEN at start, saying how to make one", () => {
    expect(() => loadStatsConfig({ STATS_TOKEN: "short" })).toThrow(ConfigError);
    expect(() => loadStatsConfig({ STATS_TOKEN: "short" })).toThrow(
      /24 characters or more.*openssl rand/,
    );
    expect(loadStatsConfig({}).token).toBeUndefined();
    expect(loadConfig({})).not.toHaveProperty("statsToken");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
