/**
 * The URL scheme, declared once. Each route names its Hono patterns (under
 * the mount path), what a request for it may do, and which URLs of it a
 * static export writes with what their bytes depend on. Everything that
 * knows URLs comes from here: the router (http/route.ts registers a handler
 * for a route, never for a bare string), the export's URL list, the static
 * host's `_headers`, the statistics' matcher for subscribed feeds, the
 * Worker's choice of what bypasses its caches, and the parity tests.
 * test/scheme.test.ts checks that the app answers exactly these patterns and
 * that the link builders in paths.ts land on them.
 *
 * The export walks this declaration as Hono's SSG helper walks an app's
 * routes; the inputs let it skip a URL whose inputs it has already rendered,
 * so one new article costs a few dozen files, not every page it shifted.
 */
import type { Article } from "../content/article.js";
import type { Config } from "../config.js";
import {
  type DigestKind,
  DIGEST_KINDS,
  type Period,
  currentDayKey,
  digestPeriods,
} from "../index/digest.js";
import type { ContentStore, GroupInfo, GroupKind, StoreScope } from "../index/store.js";
import {
  ARTICLES_PER_PAGE,
  GROUPS_PER_PAGE,
  archiveSlice,
  completeArchives,
  pageCount,
} from "./paging.js";
import {
  type FeedFormat,
  FORMAT_NAMES,
  GROUP_KINDS,
  ICON_PATH,
  SEGMENT,
  archiveLocator,
  archivePagePath,
  digestPagePath,
  digestPath,
  embedPath,
  feedPath,
  opmlPath,
  pagePath,
} from "./paths.js";

/** One URL a static export writes, and what its body depends on besides code and configuration. */
export interface StaticUrl {
  url: string;
  /** Strings, numbers, plain records and articles (arrays of them too): the same inputs give the same bytes. */
  inputs: readonly unknown[];
}

/** A Hono pattern of a route, and what its handler learns from having matched it. */
export interface Pattern<Data> {
  path: string;
  data: Data;
}

export type WriteMethod = "POST" | "PUT" | "DELETE";

export interface Route<Data = object> {
  patterns: readonly Pattern<Data>[];
  /** Methods it takes besides GET and HEAD (a sign-in form's POST); every other route is read-only. */
  writes?: readonly WriteMethod[];
  /** A feed readers subscribe to: subscriber statistics count the requests for it. */
  counted?: boolean;
  /** Never changes once it exists: cached for a year, live and on a static host. */
  immutable?: boolean;
  /** May be framed by the sites EMBED_ANCESTORS names: the embed pages. */
  framable?: boolean;
  /** The operator's, behind a token: never served from or kept in a cache, never exported, no CORS preflight. */
  guarded?: boolean;
  /** Every URL of it that a static export writes; without it the route answers live only. */
  files?(walk: SiteWalk): Promise<StaticUrl[]> | StaticUrl[];
}

/** A scope the site has pages and feeds for, with its articles (newest first) read once for every route. */
export interface ScopeContent {
  scope: StoreScope;
  /** A topic's or provider's entry; none for everything. */
  group?: GroupInfo;
  /** What its title says: the site's title, or the group's name. */
  name: string;
  articles: readonly Article[];
}

/** What the routes' `files` read: the content, once, and the day digests are closed on. */
export interface SiteWalk {
  config: Config;
  /** `YYYY-MM-DD` in DIGEST_TIMEZONE: digests, and the pages that link them, change with it. */
  day: string;
  /** What pages that list or count everything depend on: any article, and the day (they link recent digests). */
  whole: readonly unknown[];
  everything: ScopeContent;
  groups: Record<GroupKind, readonly ScopeContent[]>;
  /** The hashed assets' paths (they live with the pages that use them). */
  assets: readonly string[];
  /** A scope's closed periods of a digest kind, with their ranked articles (read once per scope and kind). */
  digests(scope: StoreScope, kind: DigestKind): Promise<{ period: Period; ranked: Article[] }[]>;
}

const route = <Data>(declared: Route<Data>): Route<Data> => declared;
const one = (path: string): Pattern<object>[] => [{ path, data: {} }];
const fixed = (...urls: string[]): StaticUrl[] => urls.map((url) => ({ url, inputs: [] }));
const listing = (walk: SiteWalk, ...urls: string[]): StaticUrl[] =>
  urls.map((url) => ({ url, inputs: walk.whole }));

/** The start of a scope kind's patterns: "" for everything, `/topics/:key` for a topic. */
const scopePattern = (kind: "all" | GroupKind) => (kind === "all" ? "" : `/${SEGMENT[kind]}/:key`);
const SCOPE_KINDS = ["all", ...GROUP_KINDS] as const;
type ScopeKind = (typeof SCOPE_KINDS)[number];

/** `base` in each scope kind (and format, when `extension` is set). */
function perScope(base: string, kinds: readonly ScopeKind[] = SCOPE_KINDS) {
  return kinds.map((kind) => ({ path: `${scopePattern(kind)}${base}`, data: { kind } }));
}
function perScopeAndFormat(base: string, kinds: readonly ScopeKind[] = SCOPE_KINDS) {
  return kinds.flatMap((kind) =>
    FORMAT_NAMES.map((format) => ({
      path: `${scopePattern(kind)}${base}.${format}`,
      data: { kind, format },
    })),
  );
}
const perGroupKind = (path: (segment: string) => string) =>
  GROUP_KINDS.map((kind) => ({ path: path(SEGMENT[kind]), data: { kind } }));

/** Other tools' feed files, and which of ours each stands for (Jekyll's and atom.xml are Atom). */
const MOVED_FEEDS: readonly [file: string, format: FeedFormat][] = [
  ["/feed/", "rss"],
  ["/index.xml", "rss"],
  ["/rss.xml", "rss"],
  ["/feed.xml", "atom"],
  ["/atom.xml", "atom"],
];

const everyScope = (walk: SiteWalk) => [
  walk.everything,
  ...walk.groups.topic,
  ...walk.groups.provider,
];
/** Topics have digests of their own; providers do not. */
const DIGEST_SCOPES: readonly ScopeKind[] = ["all", "topic"];
const digestScopes = (walk: SiteWalk) => [walk.everything, ...walk.groups.topic];
const inFormats = (path: string, inputs: readonly unknown[]) =>
  FORMAT_NAMES.map((format) => ({ url: `${path}.${format}`, inputs }));

export const ROUTES = {
  home: route({ patterns: one("/"), files: (walk) => listing(walk, "/") }),

  /** The documents readers subscribe to: a scope's newest articles, and a link to its archives. */
  feed: route({
    patterns: perScopeAndFormat("/feed"),
    counted: true,
    files: (walk) =>
      everyScope(walk).flatMap(({ scope, group, articles }) =>
        // Everything's feed is dated by its newest article, a group's by its entry.
        inFormats(feedPath(scope), [group ?? articles[0]?.published, articles]),
      ),
  }),
  /** `/feed/page/2.rss`: a later page of the plain feed, live only. */
  feedPage: route({ patterns: perScope("/feed/page/:file") }),
  /** RFC 5005 archives: complete ones only, each of its own articles only. */
  feedArchive: route({
    patterns: perScope("/feed/archive/:file"),
    immutable: true,
    files: (walk) =>
      everyScope(walk).flatMap(({ scope, articles }) =>
        numbers(completeArchives(articles.length, walk.config.defaultLimit)).flatMap((number) =>
          inFormats(`${feedPath(scope)}${archiveLocator(number)}`, [
            archiveSlice(articles, number, walk.config.defaultLimit),
          ]),
        ),
      ),
  }),

  /** A digest's feed: the day's or week's top stories, one item per closed period. */
  digestFeed: route({
    patterns: DIGEST_KINDS.flatMap((digest) =>
      perScopeAndFormat(`/digest/${digest}`, DIGEST_SCOPES).map(({ path, data }) => ({
        path,
        data: { ...data, digest },
      })),
    ),
    counted: true,
    files: (walk) =>
      eachDigest(walk, ({ scope, name }, kind, periods) =>
        inFormats(digestPath(scope, kind), [
          walk.day,
          name,
          ...periods.map(({ period, ranked }) => [period.key, ranked]),
        ]),
      ),
  }),
  /** The page of one closed period, every story of it ranked: what a digest item links. */
  digestPage: route({
    patterns: DIGEST_KINDS.flatMap((digest) =>
      perScope(`/digest/${digest}/:period/`, DIGEST_SCOPES).map(({ path, data }) => ({
        path,
        data: { ...data, digest },
      })),
    ),
    files: (walk) =>
      eachDigest(walk, ({ scope, name }, kind, periods) =>
        periods
          .filter(({ ranked }) => ranked.length > 0)
          .map(({ period, ranked }) => ({
            url: digestPagePath(scope, kind, period.key),
            inputs: [name, ranked],
          })),
      ),
  }),

  /**
   * Where the tools people move from put their feeds (WordPress `/feed/`, Hugo `/index.xml`, Jekyll
   * `/feed.xml`, and `/rss.xml`, `/atom.xml`), for everything and each topic and provider: a 301 to
   * ours, so that a moved site keeps its subscribers. The export writes them into `_redirects`.
   */
  movedFeed: route({
    patterns: SCOPE_KINDS.flatMap((kind) =>
      MOVED_FEEDS.map(([file, format]) => ({
        path: `${scopePattern(kind)}${file}`,
        data: { kind, to: `${scopePattern(kind)}/feed.${format}` },
      })),
    ),
  }),

  /** `/topics.json`: every topic with its feeds' URLs. */
  directoryJson: route({
    patterns: perGroupKind((segment) => `/${segment}.json`),
    files: (walk) => listing(walk, ...GROUP_KINDS.map((kind) => `/${SEGMENT[kind]}.json`)),
  }),
  /**
   * One article's page: what it is, where it is from, and the link to read it there. Live only (an
   * export would write one file per article); federated posts link here.
   */
  articlePage: route({ patterns: one("/articles/:id/") }),
  /** `/topics/`: the directory page, and its later pages. */
  directory: route({
    patterns: perGroupKind((segment) => `/${segment}/`),
    files: (walk) => listing(walk, ...GROUP_KINDS.map((kind) => `/${SEGMENT[kind]}/`)),
  }),
  directoryPage: route({
    patterns: perGroupKind((segment) => `/${segment}/page/:page/`),
    files: (walk) =>
      GROUP_KINDS.flatMap((kind) =>
        listing(
          walk,
          ...numbers(pageCount(walk.groups[kind].length, GROUPS_PER_PAGE))
            .slice(1)
            .map((page) => `/${SEGMENT[kind]}/page/${page}/`),
        ),
      ),
  }),
  /** `/topics/ai`, without its slash: a redirect to the page. */
  groupBare: route({ patterns: perGroupKind((segment) => `/${segment}/:key`) }),
  /** A topic's or provider's page. A topic's links its recent digest days, which change with the day. */
  groupPage: route({
    patterns: perGroupKind((segment) => `/${segment}/:key/`),
    files: (walk) =>
      groupsOf(walk).map(({ scope, group, articles }) => ({
        url: pagePath(scope),
        inputs: [group, articles, scope.kind === "topic" ? walk.day : ""],
      })),
  }),
  /** Later pages of a group's page: live only (the export has archive pages instead). */
  groupPaged: route({ patterns: perGroupKind((segment) => `/${segment}/:key/page/:page/`) }),
  /** A group's archive pages: the newest links back to the group's page, the others to the next archive. */
  groupArchive: route({
    patterns: perGroupKind((segment) => `/${segment}/:key/archive/:page/`),
    files: (walk) =>
      groupsOf(walk).flatMap(({ scope, group, articles }) => {
        const archives = completeArchives(articles.length, ARTICLES_PER_PAGE);
        return numbers(archives).map((number) => ({
          url: archivePagePath(pagePath(scope), number),
          inputs: [
            group!.name,
            number === archives,
            archiveSlice(articles, number, ARTICLES_PER_PAGE),
          ],
        }));
      }),
  }),

  /** OPML: a scope's feeds, and a directory's (`/topics.opml`). */
  opml: route({
    patterns: perScope("/feeds.opml"),
    files: (walk) => [
      ...listing(walk, opmlPath({ kind: "all" })),
      ...groupsOf(walk).map(({ scope, group }) => ({ url: opmlPath(scope), inputs: [group] })),
    ],
  }),
  directoryOpml: route({
    patterns: perGroupKind((segment) => `/${segment}.opml`),
    files: (walk) => listing(walk, ...GROUP_KINDS.map((kind) => `/${SEGMENT[kind]}.opml`)),
  }),

  /** The embed widget's script, and the page of a scope it frames. */
  embedScript: route({ patterns: one("/embed.js"), files: () => fixed("/embed.js") }),
  embedPage: route({
    patterns: perScope("/", SCOPE_KINDS).map(({ path, data }) => ({ path: `/embed${path}`, data })),
    framable: true,
    files: (walk) => [
      ...listing(walk, embedPath({ kind: "all" })),
      ...groupsOf(walk).map(({ scope, group, articles }) => ({
        url: embedPath(scope),
        inputs: [group, articles],
      })),
    ],
  }),

  /** Stylesheets and scripts under content-hashed names. */
  asset: route({
    patterns: one("/assets/:file"),
    immutable: true,
    files: (walk) => fixed(...walk.assets),
  }),
  icon: route({ patterns: one(ICON_PATH), files: () => fixed(ICON_PATH) }),
  sitemap: route({ patterns: one("/sitemap.xml"), files: (walk) => listing(walk, "/sitemap.xml") }),
  robots: route({ patterns: one("/robots.txt"), files: () => fixed("/robots.txt") }),
  favicon: route({ patterns: one("/favicon.ico"), files: () => fixed("/favicon.ico") }),

  /** Subscriber statistics: the operator's page (with its sign-in form) and its JSON. */
  stats: route({ patterns: one("/stats/"), writes: ["POST"], guarded: true }),
  statsJson: route({ patterns: one("/stats.json"), guarded: true }),

  /** The publishing API (docs/api.md): one article by its key, and every article (the list, and batches). */
  apiArticle: route({
    patterns: one("/api/articles/:key"),
    writes: ["PUT", "DELETE"],
    guarded: true,
  }),
  apiArticles: route({ patterns: one("/api/articles"), writes: ["POST"], guarded: true }),
  /** Micropub over the same articles (src/api/micropub.ts): GET for q=config and q=source, POST for the rest. */
  micropub: route({ patterns: one("/micropub"), writes: ["POST"], guarded: true }),
  /**
   * IndieAuth (src/api/indieauth.tsx), how Micropub clients get a token: the server's metadata,
   * the authorization endpoint (a consent page and its form; a code redeemed for the profile
   * alone), and the token endpoint.
   */
  indieauthMetadata: route({ patterns: one("/.well-known/oauth-authorization-server") }),
  indieauthAuthorize: route({ patterns: one("/auth"), writes: ["POST"], guarded: true }),
  indieauthToken: route({ patterns: one("/token"), writes: ["POST"], guarded: true }),

  /**
   * ActivityPub, with FEDERATION=on (docs/federation.md): how servers find the accounts, their
   * collections and posts, and the inboxes. An account's actor answers on its feed's page (home,
   * groupPage) by content negotiation. Live only: a static host cannot answer a Follow.
   */
  webfinger: route({ patterns: one("/.well-known/webfinger") }),
  nodeinfoLinks: route({ patterns: one("/.well-known/nodeinfo") }),
  nodeinfo: route({ patterns: one("/nodeinfo/2.1") }),
  actorOutbox: route({ patterns: one("/ap/:handle/outbox") }),
  actorFollowers: route({ patterns: one("/ap/:handle/followers") }),
  actorPost: route({ patterns: one("/ap/:handle/articles/:id") }),
  inbox: route({
    patterns: [...one("/ap/:handle/inbox"), ...one("/ap/inbox")],
    writes: ["POST"],
    guarded: true,
  }),
};

export type RouteName = keyof typeof ROUTES;
const EVERY_ROUTE: readonly Route<unknown>[] = Object.values(ROUTES);

/** 1 to `count`. */
const numbers = (count: number) => Array.from({ length: count }, (_, index) => index + 1);
const groupsOf = (walk: SiteWalk) => [...walk.groups.topic, ...walk.groups.provider];

function eachDigest(
  walk: SiteWalk,
  urls: (
    content: ScopeContent,
    kind: DigestKind,
    periods: { period: Period; ranked: Article[] }[],
  ) => StaticUrl[],
): Promise<StaticUrl[]> {
  return Promise.all(
    digestScopes(walk).flatMap((content) =>
      DIGEST_KINDS.map(async (kind) =>
        urls(content, kind, await walk.digests(content.scope, kind)),
      ),
    ),
  ).then((lists) => lists.flat());
}

/** Every URL a static export writes, route by route, with what each depends on. */
export async function everyStaticUrl(
  store: ContentStore,
  config: Config,
  assets: readonly string[],
): Promise<StaticUrl[]> {
  const walk = await walkOf(store, config, assets);
  const urls: StaticUrl[] = [];
  for (const declared of EVERY_ROUTE)
    if (declared.files) urls.push(...(await declared.files(walk)));
  return urls;
}

async function walkOf(
  store: ContentStore,
  config: Config,
  assets: readonly string[],
): Promise<SiteWalk> {
  const [overview, version] = await Promise.all([store.overview(), store.version()]);
  const day = currentDayKey(store.instant(), config.digestTimeZone);
  const contentOf = async (scope: StoreScope, name: string, count: number, group?: GroupInfo) => ({
    scope,
    name,
    articles: (await store.fromOldest(scope, 0, count)).articles,
    ...(group ? { group } : {}),
  });
  const groupsOfKind = async (kind: GroupKind) =>
    Promise.all(
      (await store.groups(kind)).map((group) =>
        contentOf({ kind, key: group.key }, group.name, group.count, group),
      ),
    );
  const digests = new Map<string, Promise<{ period: Period; ranked: Article[] }[]>>();
  return {
    config,
    day,
    whole: [version, day],
    everything: await contentOf({ kind: "all" }, config.siteTitle, overview.articles),
    groups: { topic: await groupsOfKind("topic"), provider: await groupsOfKind("provider") },
    assets,
    digests(scope, kind) {
      const key = `${feedPath(scope)} ${kind}`;
      if (!digests.has(key))
        digests.set(key, digestPeriods(store, scope, kind, config.digestTimeZone));
      return digests.get(key)!;
    },
  };
}

/** Every pattern of the routes that have a property: what `_headers`, statistics and the Worker match against. */
export function patternsWhere(
  property: "counted" | "immutable" | "framable" | "guarded",
): string[] {
  return EVERY_ROUTE.filter((declared) => declared[property]).flatMap((declared) =>
    declared.patterns.map((pattern) => pattern.path),
  );
}

/** Whether a path (under the mount path, no query) matches one of `patterns`: `:name` is one segment. */
export function patternMatcher(patterns: readonly string[]): (path: string) => boolean {
  const regex = new RegExp(
    `^(?:${patterns
      .map((pattern) => pattern.replace(/[.+?^${}()|[\]\\*]/g, "\\$&").replace(/:\w+/g, "[^/]+"))
      .join("|")})$`,
  );
  return (path) => regex.test(path);
}

/** The moved-feed redirects as a static host's `_redirects` reads them: from, to, with `:key` placeholders. */
export function movedFeedRedirects(): { from: string; to: string }[] {
  return ROUTES.movedFeed.patterns.map(({ path, data }) => ({ from: path, to: data.to }));
}
