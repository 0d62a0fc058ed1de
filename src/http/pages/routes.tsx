/**
 * Pages for people: the home page, the topic and provider directories, and a
 * page per topic and provider. Server-rendered, no client framework: they work
 * with JavaScript off, and every page names its feeds in `<link rel=alternate>`
 * so that browsers' and readers' feed discovery finds them.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { EPOCH } from "../../feeds/model.js";
import {
  ARTICLES_PER_PAGE,
  GROUPS_PER_PAGE,
  completeArchives,
  pageCount,
} from "../../scheme/paging.js";
import { archivePagePath, feedPath, pagePath, SEGMENT } from "../../scheme/paths.js";
import type { GroupInfo, GroupKind } from "../../index/store.js";
import { ROUTES } from "../../scheme/routes.js";
import type { Config } from "../../config.js";
import { HttpError } from "../errors.js";
import { PRIVATE } from "../guard.js";
import { respond } from "../headers.js";
import { findGroup } from "../groups.js";
import { jsonSummary } from "../directories.js";
import type { RenderedBody, Site } from "../site.js";
import { searchOf } from "../site.js";
import {
  ArticleList,
  DigestLinks,
  EmbedSnippets,
  type FeedSet,
  GroupTable,
  Layout,
  Pager,
  SubscribeBox,
  counted,
  pagerLinks,
} from "./view.js";
import { digestFeedSets, recentDigestDays } from "../digest-links.js";

/** Pages may load their own stylesheet and script, https images (thumbnails), and nothing else. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const HTML_TYPE = "text/html; charset=utf-8";

/** An operator's page (the statistics, IndieAuth's consent): the site's layout, never cached or indexed. */
export function privatePage(
  config: Config,
  page: {
    title: string;
    description: string;
    body: Child;
    status: number;
    headers?: Record<string, string>;
  },
): Response {
  return respond(
    `<!DOCTYPE html>${(
      <Layout
        title={`${page.title}: ${config.siteTitle}`}
        description={page.description}
        site={config.siteTitle}
        base={config.basePath}
        feeds={[]}
      >
        {page.body}
      </Layout>
    ).toString()}\n`,
    page.status,
    {
      ...PRIVATE,
      "Content-Type": HTML_TYPE,
      "Content-Security-Policy": PAGE_CSP,
      ...page.headers,
    },
  );
}
const HOME_PROVIDERS = 20;
const SORTS = { name: "name", count: "most articles", newest: "newest article" } as const;
type Sort = keyof typeof SORTS;
/**
 * The order of the directory's own pages (/providers/page/2/, exported): by name, so that a new
 * article rewrites the one page its provider is on, where by count it would move the provider
 * past every other with its old count, and rewrite each page between.
 */
const DEFAULT_SORT: Sort = "name";

/**
 * What a browser gets for an address that is no route (404): a page of the
 * site with its navigation, rather than a line of text. The export writes it
 * as /404.html, which static hosts serve for any missing file (and without
 * which Cloudflare Pages answers every missing path with the home page, 200).
 * It names no path, since a static host serves the same file for all of them.
 * A refusal a route made (a topic that does not exist, a page past the last)
 * is the same page with what the refusal says, and its closest matches as
 * links.
 */
export function errorPage(site: Site, c: Context, refusal?: HttpError): Response {
  const { config } = site;
  const origin = site.origin(c);
  const status = refusal?.status ?? 404;
  const heading = status === 404 ? "Not found" : "This address cannot be shown";
  const page = (
    <Layout
      title={`${heading}: ${config.siteTitle}`}
      description={config.siteDescription}
      site={config.siteTitle}
      base={config.basePath}
      feeds={[mainFeedSet(config.siteTitle, origin)]}
    >
      <h1>{heading}</h1>
      <p class="lead">
        {refusal
          ? sentence(refusal.message.replace(/\. Closest: .*$/, ""))
          : "Nothing is published at this address. The page or feed may have moved, or its topic or provider may have no articles any more."}
      </p>
      {refusal && refusal.suggestions.length > 0 ? (
        <>
          <h2>Closest matches</h2>
          <ul>
            {refusal.suggestions.map((suggestion) => (
              <li>
                <a href={`${config.basePath}${suggestion.path}`}>{suggestion.label}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        Start from <a href={`${config.basePath}/`}>the home page</a>, or find a feed among{" "}
        <a href={`${config.basePath}/topics/`}>all topics</a> and{" "}
        <a href={`${config.basePath}/providers/`}>all providers</a>.
      </p>
    </Layout>
  );
  return respond(`<!DOCTYPE html>${page.toString()}\n`, status, {
    ...refusal?.headers,
    "Content-Type": HTML_TYPE,
    "Content-Security-Policy": PAGE_CSP,
    "Cache-Control": "no-store",
  });
}

/** A refusal's message as a sentence on a page: capitalised, and ended. */
const sentence = (text: string) =>
  `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;

export const feedSet = (origin: string, title: string, path: string, opml: string): FeedSet => ({
  title,
  base: `${origin}${path}`,
  opml,
});
const mainFeedSet = (title: string, origin: string) =>
  feedSet(origin, title, "/feed", "/feeds.opml");

export function html(
  page: string,
  updated: string,
  extraHeaders: Record<string, string> = {},
): RenderedBody {
  return {
    body: `<!DOCTYPE html>${page}\n`,
    contentType: HTML_TYPE,
    updated,
    headers: { "Content-Security-Policy": PAGE_CSP, ...extraHeaders },
  };
}

/** A page number, a whole number from 1, or undefined. */
function wholePage(value: string): number | undefined {
  return /^\d{1,9}$/.test(value) && Number(value) >= 1 ? Number(value) : undefined;
}

/** `?page=N`: absent means 1; anything but a page number is a 400 that says so. */
function pageNumber(params: URLSearchParams): number {
  const value = params.get("page");
  if (value === null) return 1;
  const page = wholePage(value);
  if (page === undefined)
    throw new HttpError(
      400,
      `page: must be a whole number from 1, got ${JSON.stringify(value.slice(0, 20))}`,
    );
  return page;
}

/** The N of a `/page/N/` (or `/archive/N/`) path; anything else there is no page at all (404). */
function pathPageNumber(c: Context, kind: "page" | "archive" = "page"): number {
  const page = wholePage(c.req.param("page") ?? "");
  if (page === undefined) throw new HttpError(404, `${kind}s are numbered from 1: /${kind}/2/`);
  return page;
}

function paramsOf(c: Context): URLSearchParams {
  const search = searchOf(c.req.url);
  return new URLSearchParams(search.slice(1));
}

function compareGroups(sort: Sort) {
  return (a: GroupInfo, b: GroupInfo) =>
    sort === "name"
      ? a.name.localeCompare(b.name, "en") || (a.key < b.key ? -1 : 1)
      : sort === "newest"
        ? a.newest < b.newest
          ? 1
          : a.newest > b.newest
            ? -1
            : a.key < b.key
              ? -1
              : 1
        : b.count - a.count || (a.key < b.key ? -1 : 1);
}

export function pageRoutes(site: Site): void {
  const { store, config } = site;
  const mainFeeds = (origin: string) => mainFeedSet(config.siteTitle, origin);

  site.route(ROUTES.home, async (c) => {
    const accept = c.req.header("accept") ?? "";
    // Today's JSON summary for clients that ask for JSON; a page for browsers (and */*).
    if (accept.includes("application/json") && !accept.includes("text/html"))
      return site.send(c, "/ json", async () => ({
        ...(await jsonSummary(site, c)),
        headers: { Vary: "Accept, Accept-Encoding" },
      }));
    return site.send(c, "/ html", async () => {
      const origin = site.origin(c);
      const [overview, topics, providers, latest, digestDays] = await Promise.all([
        store.overview(),
        store.groups("topic"),
        store.groups("provider"),
        store.slice({ kind: "all" }, { limit: 10, page: 1 }),
        recentDigestDays(site, { kind: "all" }),
      ]);
      const digests = digestFeedSets(origin, { kind: "all" }, config.siteTitle);
      const busiest = [...providers].sort(compareGroups("count")).slice(0, HOME_PROVIDERS);
      const page = (
        <Layout
          title={config.siteTitle}
          description={config.siteDescription}
          site={config.siteTitle}
          base={config.basePath}
          feeds={[mainFeeds(origin), ...digests]}
          canonical={`${origin}/`}
          links={site.advertised.map(({ rel, path }) => ({ rel, href: `${origin}${path}` }))}
        >
          <h1>{config.siteTitle}</h1>
          <p class="lead">
            {config.siteDescription} {counted(overview.articles, "article", "articles")} from{" "}
            {counted(providers.length, "provider", "providers")} on{" "}
            {counted(topics.length, "topic", "topics")}.
          </p>
          <SubscribeBox
            feeds={mainFeeds(origin)}
            id="everything"
            heading="Subscribe to everything"
            digests={digests}
          />
          <section aria-labelledby="latest">
            <h2 id="latest">Latest articles</h2>
            <ArticleList articles={latest.articles} />
          </section>
          <DigestLinks days={digestDays} heading="Top stories of recent days" />
          <section aria-labelledby="topics">
            <h2 id="topics">Topics</h2>
            <GroupTable
              kind="topic"
              groups={[...topics].sort(compareGroups("count"))}
              origin={origin}
              caption="Every topic, most articles first."
            />
          </section>
          <section aria-labelledby="providers">
            <h2 id="providers">Providers</h2>
            <GroupTable
              kind="provider"
              groups={busiest}
              origin={origin}
              caption={
                busiest.length === 1
                  ? "The provider with the most articles."
                  : `The ${busiest.length} providers with the most articles.`
              }
            />
            <p>
              <a href={`${config.basePath}/providers/`}>
                All {counted(providers.length, "provider", "providers")}
              </a>
              , with a filter.
            </p>
          </section>
          <EmbedSnippets
            origin={origin}
            jsonFeed={`${origin}/feed.json`}
            embedPage="/embed/"
            title={config.siteTitle}
          />
        </Layout>
      );
      return html(page.toString(), overview.newest ?? EPOCH, { Vary: "Accept, Accept-Encoding" });
    });
  });

  /** The pages of one group kind: its directory, a group's page, and a group's archive pages. */
  const groupPages = (kind: GroupKind) => {
    const segment = SEGMENT[kind];
    const noun = kind === "topic" ? "Topics" : "Providers";

    /** The directory; its plain pages (default order, no filter) have paths, `/topics/page/2/`, like the feeds. */
    const directory = (c: Context, pathPage?: number) => {
      const params = paramsOf(c);
      const sort = (params.get("sort") ?? DEFAULT_SORT) as Sort;
      if (!(sort in SORTS))
        throw new HttpError(400, `sort: must be one of ${Object.keys(SORTS).join(", ")}`);
      const filter = (params.get("q") ?? "").trim().toLowerCase();
      if (filter.length > 100) throw new HttpError(400, "q: must be at most 100 characters");
      const page = pathPage ?? pageNumber(params);
      const href = (to: number) =>
        sort === DEFAULT_SORT && !filter
          ? to > 1
            ? `/${segment}/page/${to}/`
            : `/${segment}/`
          : `/${segment}/?${new URLSearchParams({ ...(sort !== DEFAULT_SORT ? { sort } : {}), ...(filter ? { q: filter } : {}), ...(to > 1 ? { page: String(to) } : {}) })}`;
      const redirect = site.redirectUnlessAt(c, href(page));
      if (redirect) return redirect;
      const key = `/${segment}/?${new URLSearchParams({ sort, q: filter, page: String(page) })}`;
      return site.send(c, key, async () => {
        const origin = site.origin(c);
        const groups = (await store.groups(kind))
          .filter(
            (group) =>
              !filter || group.name.toLowerCase().includes(filter) || group.key.includes(filter),
          )
          .sort(compareGroups(sort));
        const pages = pageCount(groups.length, GROUPS_PER_PAGE);
        if (page > pages)
          throw new HttpError(404, `page ${page} of ${segment} does not exist: there are ${pages}`);
        const shown = groups.slice((page - 1) * GROUPS_PER_PAGE, page * GROUPS_PER_PAGE);
        const pageView = (
          <Layout
            title={`${noun}: ${config.siteTitle}`}
            description={`Every ${kind} of ${config.siteTitle}, with its feeds.`}
            site={config.siteTitle}
            base={config.basePath}
            feeds={[mainFeeds(origin)]}
            canonical={`${origin}${href(page)}`}
          >
            <h1>{noun}</h1>
            <form
              class="filter"
              method="get"
              action={`${config.basePath}/${segment}/`}
              role="search"
            >
              <label for="filter">Find</label>
              <input id="filter" name="q" type="search" value={filter} maxlength={100} />
              <label for="sort">Order by</label>
              <select id="sort" name="sort">
                {Object.entries(SORTS).map(([value, label]) => (
                  <option value={value} selected={value === sort}>
                    {label}
                  </option>
                ))}
              </select>
              <button type="submit">Show</button>
            </form>
            <GroupTable
              kind={kind}
              groups={shown}
              origin={origin}
              caption={
                groups.length === 0
                  ? `No ${kind} matches "${filter}".`
                  : `${groups.length} ${kind === "topic" ? "topics" : "providers"}${filter ? ` matching "${filter}"` : ""}, by ${SORTS[sort]}.`
              }
            />
            <Pager {...pagerLinks(page, pages, href)} labels={["← Previous", "Next →"]} />
            <EmbedSnippets
              origin={origin}
              jsonFeed={`${origin}/feed.json`}
              embedPage="/embed/"
              title={config.siteTitle}
            />
          </Layout>
        );
        const updated = groups.reduce(
          (newest, group) => (group.newest > newest ? group.newest : newest),
          EPOCH,
        );
        return html(pageView.toString(), updated);
      });
    };
    /**
     * A group's page. Its later pages, counted from the newest (`/topics/ai/page/2/`), answer
     * for links kept from before; the page links its archives instead, counted from the oldest.
     */
    const groupPage = async (c: Context, pathPage?: number) => {
      const group = await findGroup(
        c,
        site,
        kind,
        pathPage === undefined ? "/" : `/page/${pathPage}/`,
      );
      if (group instanceof Response) return group;
      const page = pathPage ?? pageNumber(paramsOf(c));
      const path = pagePath({ kind, key: group.key });
      const at = (to: number) => (to > 1 ? `${path}page/${to}/` : path);
      const redirect = site.redirectUnlessAt(c, at(page));
      if (redirect) return redirect;
      return site.send(c, `${path}?page=${page}`, async () => {
        const origin = site.origin(c);
        // Topics have digests; providers, each one source, do not.
        const scope = { kind, key: group.key };
        const [slice, digestDays] = await Promise.all([
          store.slice(scope, { limit: ARTICLES_PER_PAGE, page }),
          kind === "topic" && page === 1 ? recentDigestDays(site, scope) : [],
        ]);
        const pages = pageCount(slice.total, ARTICLES_PER_PAGE);
        if (page > pages)
          throw new HttpError(
            404,
            `page ${page} of ${group.name} does not exist: there are ${pages}`,
          );
        const archives = completeArchives(slice.total, ARTICLES_PER_PAGE);
        const feeds = feedSet(
          origin,
          `${config.siteTitle}: ${group.name}`,
          feedPath({ kind, key: group.key }),
          `${path}feeds.opml`,
        );
        const digests = kind === "topic" ? digestFeedSets(origin, scope, feeds.title) : [];
        const href = at;
        const pageView = (
          <Layout
            title={`${group.name}: ${config.siteTitle}`}
            description={`The latest articles ${kind === "topic" ? "about" : "from"} ${group.name} on ${config.siteTitle}.`}
            site={config.siteTitle}
            base={config.basePath}
            feeds={[feeds, ...digests]}
            canonical={`${origin}${href(page)}`}
          >
            <h1>{group.name}</h1>
            <p class="lead">
              {group.count} articles {kind === "topic" ? "about" : "from"} {group.name}
              {kind === "provider" ? ` (${group.key})` : ""}.
            </p>
            <SubscribeBox
              feeds={feeds}
              id="group"
              heading={`Subscribe to ${group.name}`}
              digests={digests}
            />
            <section aria-labelledby="articles">
              <h2 id="articles">{page === 1 ? "Latest articles" : `Articles, page ${page}`}</h2>
              <ArticleList articles={slice.articles} showProvider={kind === "topic"} />
            </section>
            {page === 1 ? (
              <Pager
                next={archives > 0 ? archivePagePath(path, archives) : undefined}
                position="Latest articles"
                labels={["← Newer", "Older →"]}
              />
            ) : (
              <Pager {...pagerLinks(page, pages, href)} labels={["← Newer", "Older →"]} />
            )}
            <DigestLinks days={digestDays} heading={`Top ${group.name} stories of recent days`} />
            <EmbedSnippets
              origin={origin}
              jsonFeed={`${feeds.base}.json`}
              embedPage={`/embed${path}`}
              title={feeds.title}
            />
          </Layout>
        );
        return html(pageView.toString(), slice.articles[0]?.published ?? group.newest);
      });
    };

    /**
     * Archive N of a group's page: its articles at positions (N-1)·20 to N·20-1 from the oldest, so
     * that a newer article moves none of them. The newest archive leads back to the group's page,
     * which holds the articles that do not fill an archive yet.
     */
    const archivePage = async (c: Context) => {
      const number = pathPageNumber(c, "archive");
      const group = await findGroup(c, site, kind, `/archive/${number}/`);
      if (group instanceof Response) return group;
      const path = pagePath({ kind, key: group.key });
      const archives = completeArchives(group.count, ARTICLES_PER_PAGE);
      if (number > archives) {
        throw new HttpError(
          404,
          `archive ${number} of ${group.name} does not exist: ${archives === 0 ? `all its articles are on ${path}` : `its archives are 1 to ${archives}, oldest first`}`,
        );
      }
      const redirect = site.redirectUnlessAt(c, archivePagePath(path, number));
      if (redirect) return redirect;
      return site.send(c, archivePagePath(path, number), async () => {
        const origin = site.origin(c);
        const slice = await store.fromOldest(
          { kind, key: group.key },
          (number - 1) * ARTICLES_PER_PAGE,
          ARTICLES_PER_PAGE,
        );
        const feeds = feedSet(
          origin,
          `${config.siteTitle}: ${group.name}`,
          feedPath({ kind, key: group.key }),
          `${path}feeds.opml`,
        );
        const [newest, oldest] = [
          slice.articles[0].published,
          slice.articles.at(-1)!.published,
        ].map((date) => date.slice(0, 10));
        const first = (number - 1) * ARTICLES_PER_PAGE + 1;
        const pageView = (
          <Layout
            title={`${group.name}, archive ${number}: ${config.siteTitle}`}
            description={`Articles ${kind === "topic" ? "about" : "from"} ${group.name} on ${config.siteTitle}, ${oldest} to ${newest}.`}
            site={config.siteTitle}
            base={config.basePath}
            feeds={[feeds]}
            canonical={`${origin}${archivePagePath(path, number)}`}
          >
            <h1>
              {group.name}: archive {number}
            </h1>
            <p class="lead">
              Articles {first} to {first + ARTICLES_PER_PAGE - 1}{" "}
              {kind === "topic" ? "about" : "from"} {group.name}, counted from the oldest:{" "}
              {oldest === newest ? oldest : `${oldest} to ${newest}`}.{" "}
              <a href={`${config.basePath}${path}`}>The latest articles</a>.
            </p>
            <section aria-labelledby="articles">
              <h2 id="articles">Articles, newest first</h2>
              <ArticleList articles={slice.articles} showProvider={kind === "topic"} />
            </section>
            <Pager
              previous={number < archives ? archivePagePath(path, number + 1) : path}
              next={number > 1 ? archivePagePath(path, number - 1) : undefined}
              position={`Archive ${number}`}
              labels={["← Newer", "Older →"]}
            />
          </Layout>
        );
        return html(pageView.toString(), slice.articles[0].published);
      });
    };
    return { directory, groupPage, archivePage };
  };
  const pagesOf = { topic: groupPages("topic"), provider: groupPages("provider") };
  site.route(ROUTES.directory, (c, { kind }) => pagesOf[kind].directory(c));
  site.route(ROUTES.directoryPage, (c, { kind }) => pagesOf[kind].directory(c, pathPageNumber(c)));
  // The page of one group; without its trailing slash, a redirect to it.
  site.route(ROUTES.groupBare, (c, { kind }) =>
    site.redirect(`${pagePath({ kind, key: c.req.param("key") ?? "" })}${searchOf(c.req.url)}`),
  );
  site.route(ROUTES.groupPage, (c, { kind }) => pagesOf[kind].groupPage(c));
  site.route(ROUTES.groupPaged, (c, { kind }) => pagesOf[kind].groupPage(c, pathPageNumber(c)));
  site.route(ROUTES.groupArchive, (c, { kind }) => pagesOf[kind].archivePage(c));
}
