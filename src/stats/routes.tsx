/**
 * The operator's statistics: `/stats/` (a page, with a sign-in form) and
 * `/stats.json`, behind STATS_TOKEN (docs/statistics.md has the threat
 * model). Without a token they are not routes at all, so they answer the
 * plain 404 of any unknown address. Nothing here is cacheable, shared with
 * other origins, or rendered through the render cache.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Child } from "hono/jsx";
import type { AppExtension } from "../http/app.js";
import { PRIVATE, failureDelay } from "../http/guard.js";
import { respond } from "../http/headers.js";
import { base64url } from "../http/render-cache.js";
import { privatePage } from "../http/pages/routes.js";
import { FORMAT_LABELS } from "../http/pages/view.js";
import type { ContentStore, GroupKind } from "../index/store.js";
import type { FeedFormat } from "../scheme/paths.js";
import type { Site } from "../http/site.js";
import { ROUTES } from "../scheme/routes.js";
import { addDays, dayOf } from "./clients.js";
import type { FeedStats, StatsStore } from "./store.js";

/** One write through the publishing API: when, by which token, each key with its result. */
export interface ApiWrite {
  at: string;
  token: string;
  summary: string;
}

export interface StatsRoutesOptions {
  /** STATS_TOKEN; undefined: no routes. */
  token?: string;
  /** Where counts are; undefined where the platform has none (a Worker without D1): the routes say so. */
  store?: StatsStore;
  /** The client's address, for slowing its failed sign-ins (undefined: one bucket for all). */
  addressOf?: (c: Context) => string | undefined;
  /** The instant "today" is taken from (ms). */
  now?: () => number;
  /** Fediverse followers per account handle, when federation is on (docs/federation.md). */
  followers?: () => ReadonlyMap<string, number> | Promise<ReadonlyMap<string, number>>;
  /** The last writes through the publishing API, newest first, where the store keeps them (D1). */
  writes?: () => Promise<ApiWrite[]>;
}

const COOKIE = "feedloom_stats";
const CHART_DAYS = 90;
const JSON_TYPE = { ...PRIVATE, "Content-Type": "application/json; charset=utf-8" };
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="feedloom statistics"' };

const utf8 = new TextEncoder();

async function hmac(key: CryptoKey, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(text)));
}

/** A sign-in form holds a token of at most a few hundred bytes. */
const FORM_LIMIT_BYTES = 4096;

export function statsRoutes(options: StatsRoutesOptions): AppExtension {
  const { token, store, addressOf = () => undefined, now = Date.now, followers, writes } = options;
  if (token === undefined) return { install: () => {} };
  // Secrets are compared as HMACs under a key of this process: equal lengths, and a comparison that does not stop early.
  const compareKey = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]) as Promise<CryptoKey>;
  const tokenKey = crypto.subtle.importKey(
    "raw",
    utf8.encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  /** What the session cookie holds: an HMAC of the token, so the cookie is never the token, and a new token ends every session. */
  const session = tokenKey.then(async (key) =>
    base64url(await hmac(key, "feedloom statistics session")),
  );
  const sameSecret = async (given: string, expected: string) => {
    const key = await compareKey;
    const [a, b] = await Promise.all([hmac(key, given), hmac(key, expected)]);
    let difference = 0;
    for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
    return difference === 0;
  };
  const delay = failureDelay(now);
  const slowFailure = (c: Context) => delay(addressOf(c) ?? "unknown");
  const authorized = async (c: Context): Promise<boolean> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (bearer !== undefined) return sameSecret(bearer, token);
    const cookie = (c.req.header("cookie") ?? "")
      .split(/;\s*/)
      .find((pair) => pair.startsWith(`${COOKIE}=`))
      ?.slice(COOKIE.length + 1);
    return cookie !== undefined && sameSecret(cookie, await session);
  };

  return {
    install(site: Site) {
      const { config } = site;
      // The session goes to the statistics page alone: not to the feeds, nor to another app beside a mounted feedloom().
      const cookiePath = `${config.basePath}/stats`;
      const page = (
        title: string,
        body: Child,
        status: number,
        headers: Record<string, string> = {},
      ) =>
        privatePage(config, {
          title,
          description: "Subscriber statistics of this site's feeds, for its operator.",
          body,
          status,
          headers,
        });
      const signIn = (status: number, message?: string) =>
        page(
          "Sign in",
          <>
            <h1>Subscriber statistics</h1>
            {message ? (
              <p class="lead" role="alert">
                {message}
              </p>
            ) : (
              <p class="lead">
                These figures are for the operator of this site. Sign in with the token set in
                STATS_TOKEN.
              </p>
            )}
            <form class="filter" method="post" action={`${config.basePath}/stats/`}>
              <label for="token">Token</label>{" "}
              <input
                id="token"
                name="token"
                type="password"
                autocomplete="current-password"
                required
              />{" "}
              <button type="submit">Sign in</button>
            </form>
          </>,
          status,
          status === 401 ? CHALLENGE : {},
        );
      const unavailable = () =>
        respond(
          "503 statistics need a database: on Workers, the D1 binding DB (see docs/statistics.md)\n",
          503,
          { ...PRIVATE, "Content-Type": "text/plain; charset=utf-8" },
        );

      site.route(ROUTES.stats, async (c) => {
        if (!(await authorized(c))) {
          if (c.req.header("authorization") !== undefined) await slowFailure(c);
          return signIn(401);
        }
        if (!store) return unavailable();
        const today = dayOf(now());
        await store.maintain(today);
        const feeds = await store.report(today);
        return page(
          "Subscribers",
          <>
            <StatsView
              feeds={feeds}
              names={await feedNames(site.store, feeds)}
              today={today}
              base={config.basePath}
            />
            {followers ? <FollowersView followers={await followers()} /> : null}
            {writes ? <WritesView writes={await writes()} /> : null}
          </>,
          200,
        );
      });
      site.route(ROUTES.statsJson, async (c) => {
        if (!(await authorized(c))) {
          if (c.req.header("authorization") !== undefined) await slowFailure(c);
          return respond(
            JSON.stringify({
              error: { status: 401, message: "send Authorization: Bearer <STATS_TOKEN>" },
            }),
            401,
            { ...JSON_TYPE, ...CHALLENGE },
          );
        }
        if (!store) return unavailable();
        const today = dayOf(now());
        await store.maintain(today);
        const report = {
          feeds: await store.report(today),
          ...(followers ? { followers: Object.fromEntries(await followers()) } : {}),
          ...(writes ? { writes: await writes() } : {}),
        };
        return respond(`${JSON.stringify(report)}\n`, 200, JSON_TYPE);
      });
      // Counted on the stream: a chunked body has no Content-Length to trust.
      const formLimit = bodyLimit({
        maxSize: FORM_LIMIT_BYTES,
        onError: () => signIn(413, "That form is too large: send the token alone."),
      });
      site.write(ROUTES.stats, "POST", formLimit, async (c) => {
        const form = await c.req.parseBody();
        const secure = `Path=${cookiePath}; HttpOnly; Secure; SameSite=Strict`;
        if (form.signout !== undefined)
          return respond(null, 303, {
            ...PRIVATE,
            Location: `${config.basePath}/stats/`,
            "Set-Cookie": `${COOKIE}=; ${secure}; Max-Age=0`,
          });
        const given = typeof form.token === "string" ? form.token.trim() : "";
        if (!(await sameSecret(given, token))) {
          await slowFailure(c);
          return signIn(
            401,
            "That is not the token set in STATS_TOKEN. Each wrong try waits longer before the next answer.",
          );
        }
        return respond(null, 303, {
          ...PRIVATE,
          Location: `${config.basePath}/stats/`,
          "Set-Cookie": `${COOKIE}=${await session}; ${secure}; Max-Age=2592000`,
        });
      });
    },
  };
}

/** Followers of each fediverse account (`@ai@host`), most first: a count per account, never who. */
function FollowersView(props: { followers: ReadonlyMap<string, number> }) {
  const rows = [...props.followers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return (
    <section aria-labelledby="followers">
      <h2 id="followers">Fediverse followers</h2>
      {rows.length === 0 ? (
        <p>No fediverse account has a follower yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Followers of each account, most first.</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Followers</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([handle, count]) => (
                <tr>
                  <th scope="row">@{handle}</th>
                  <td>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const FEED_PATH =
  /^(?:\/(topics|providers)\/([^/]+))?\/(?:feed|digest\/(daily|weekly))\.(rss|atom|json)$/;

/** "AI (Atom)", "Everything, daily digest (RSS)": what a feed is, by its group's name, for each path. */
async function feedNames(store: ContentStore, feeds: FeedStats[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const { path } of feeds) {
    const [, segment, key, digest, format] = FEED_PATH.exec(path) ?? [];
    if (!format) continue;
    const kind: GroupKind | undefined =
      segment === "topics" ? "topic" : segment === "providers" ? "provider" : undefined;
    const group = kind && (await store.group(kind, decodeURIComponent(key)));
    const name = kind ? (group?.name ?? decodeURIComponent(key)) : "Everything";
    names.set(
      path,
      `${name}${digest ? `, ${digest} digest` : ""} (${FORMAT_LABELS[format as FeedFormat].name})`,
    );
  }
  return names;
}

function StatsView(props: {
  feeds: FeedStats[];
  names: ReadonlyMap<string, string>;
  today: string;
  base: string;
}) {
  const total = props.feeds.reduce((sum, feed) => sum + feed.subscribers, 0);
  return (
    <>
      <h1>Subscribers</h1>
      <p class="lead">
        {total} {total === 1 ? "subscriber" : "subscribers"} today ({props.today}, UTC) across{" "}
        {props.feeds.length} {props.feeds.length === 1 ? "feed" : "feeds"}: the counts aggregators
        report, plus distinct readers of the last 7 days. Browsers and crawlers are not counted.
      </p>
      {props.feeds.length === 0 ? (
        <p>No feed has been read by a feed reader since statistics were turned on.</p>
      ) : (
        <div class="table-wrap">
          <p>Every feed with a count in the last {CHART_DAYS} days:</p>
          <table>
            <caption>Feeds, most subscribers first</caption>
            <thead>
              <tr>
                <th scope="col">Feed</th>
                <th scope="col">Subscribers</th>
                <th scope="col">Aggregators</th>
                <th scope="col">Individual readers</th>
                <th scope="col">Last {CHART_DAYS} days</th>
              </tr>
            </thead>
            <tbody>
              {props.feeds.map((feed) => (
                <tr>
                  <th scope="row">
                    <a href={`${props.base}${feed.path}`}>
                      {props.names.get(feed.path) ?? feed.path}
                    </a>
                    <span class="meta">{feed.path}</span>
                  </th>
                  <td>{feed.subscribers}</td>
                  <td>
                    {Object.keys(feed.aggregators).length === 0
                      ? "none"
                      : Object.entries(feed.aggregators)
                          .sort(([a], [b]) => (a < b ? -1 : 1))
                          .map(([service, n]) => `${service} ${n}`)
                          .join(", ")}
                  </td>
                  <td>{feed.individuals}</td>
                  <td>
                    <Chart feed={feed} today={props.today} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="filter" method="post" action={`${props.base}/stats/`}>
        <button type="submit" name="signout" value="1">
          Sign out
        </button>
      </form>
    </>
  );
}

const CHART = { width: 180, line: 40, labels: 14 };

/**
 * A feed's subscribers, drawn here as SVG (no script, no library, nothing the CSP blocks): a line from the
 * first day it was counted (at most 90 days ago) to today, labelled with that day, today and the highest
 * count; a single day is a dot, not a spike from nothing.
 */
function Chart(props: { feed: FeedStats; today: string }) {
  const byDay = new Map(props.feed.days.map((day) => [day.date, day.subscribers]));
  const earliest = addDays(props.today, 1 - CHART_DAYS);
  const first =
    props.feed.days.map((day) => day.date).find((date) => date >= earliest) ?? props.today;
  const days: string[] = [];
  for (let day = first; day <= props.today; day = addDays(day, 1)) days.push(day);
  const values = days.map((day) => byDay.get(day) ?? 0);
  const highest = Math.max(1, ...values);
  const y = (value: number) => (CHART.line - 1 - (value / highest) * (CHART.line - 2)).toFixed(1);
  const x = (i: number) =>
    (days.length === 1 ? CHART.width / 2 : (i / (days.length - 1)) * CHART.width).toFixed(1);
  const label = `Subscribers of ${props.feed.path} from ${first} to today (${props.today}): ${values[0]} on ${first}, ${props.feed.subscribers} today, ${Math.max(...values)} at most.`;
  const height = CHART.line + CHART.labels;
  return (
    <svg
      role="img"
      aria-label={label}
      width={CHART.width}
      height={height}
      viewBox={`0 0 ${CHART.width} ${height}`}
    >
      <title>{label}</title>
      {days.length === 1 ? (
        <circle cx={x(0)} cy={y(values[0])} r="3" fill="currentColor" />
      ) : (
        <polyline
          points={values.map((value, i) => `${x(i)},${y(value)}`).join(" ")}
          fill="none"
          stroke="currentColor"
          stroke-width="1.5"
        />
      )}
      <text x="0" y="9" font-size="9" fill="currentColor">
        {Math.max(...values)}
      </text>
      <text x="0" y={height - 2} font-size="9" fill="currentColor">
        {first === props.today ? "today" : first}
      </text>
      {first === props.today ? null : (
        <text x={CHART.width} y={height - 2} font-size="9" fill="currentColor" text-anchor="end">
          today
        </text>
      )}
    </svg>
  );
}

/** The publishing API's last writes, newest first: the token's name, never its secret. */
function WritesView(props: { writes: ApiWrite[] }) {
  return (
    <section aria-labelledby="writes">
      <h2 id="writes">Publishing API</h2>
      {props.writes.length === 0 ? (
        <p>Nothing has been written through the API yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>The last writes, newest first.</caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Token</th>
                <th scope="col">Articles</th>
              </tr>
            </thead>
            <tbody>
              {props.writes.map((write) => (
                <tr>
                  <td>{write.at.replace("T", " ").replace("Z", "")}</td>
                  <th scope="row">{write.token}</th>
                  <td>{write.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
