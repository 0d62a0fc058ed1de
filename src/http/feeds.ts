/**
 * The feed routes: everything, each topic, each provider, in every format,
 * with paging and filters. A non-canonical topic key or query spelling is
 * redirected, so that every feed page has one URL and its self link names it.
 */
import type { Context } from "hono";
import type { ItemFragments } from "../feeds/fragments.js";
import { type FeedDocument, type FeedFormat, type FeedScope, FORMATS, FORMAT_NAMES, buildFeed, feedPath, feedUrl, queryString } from "../feeds/model.js";
import { renderFeed } from "../feeds/render.js";
import type { GroupInfo } from "../index/store.js";
import { HttpError, clip } from "./errors.js";
import { SEGMENT, findGroup } from "./groups.js";
import { ICON_PATH } from "./icon.js";
import { canonicalFeedLocation, parseFeedQuery } from "./params.js";
import { type RenderedBody, type Site, searchOf } from "./site.js";

/** The feed scope of a topic or provider: its key, its name for titles, and a provider's logo for the icon. */
const scopeOf = (group: GroupInfo): FeedScope => ({ kind: group.kind, key: group.key, name: group.name, ...(group.logo ? { logo: group.logo } : {}) }) as FeedScope;

/** A feed document as a response body: its format's type, its date, and the WebSub Link header when hubs are set. */
export function renderedFeed(feed: FeedDocument, format: FeedFormat, fragments: ItemFragments): RenderedBody {
  const self = feedUrl(feed, format, feed.links.self);
  const link = feed.hubs.length > 0 ? [...feed.hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(", ") : undefined;
  return { body: renderFeed(feed, format, fragments), contentType: FORMATS[format].contentType, updated: feed.updated, ...(link ? { headers: { Link: link } } : {}) };
}

export function feedRoutes(site: Site): void {
  const { store, config } = site;

  /** `pathPage`: the N of `/feed/page/N.rss`, which stands for `?page=N`. */
  const sendFeed = (c: Context, scope: FeedScope, format: FeedFormat, pathPage?: number) => {
    const search = searchOf(c.req.url);
    const params = new URLSearchParams(search.slice(1));
    if (pathPage !== undefined) {
      if (params.has("page")) throw new HttpError(400, "page: given in the path and in the query; give it once");
      params.set("page", String(pathPage));
    }
    const query = parseFeedQuery(params, config);
    const canonical = canonicalFeedLocation(feedPath(scope), FORMATS[format].extension, search, query, config.defaultLimit);
    const redirect = site.redirectUnlessAt(c, canonical);
    if (redirect) return redirect;
    const key = `${feedPath(scope)}.${format}${queryString(query, config.defaultLimit)}`;
    return site.send(c, key, async () => {
      const base = site.origin(c);
      const slice = await store.slice(scope.kind === "all" ? scope : { kind: scope.kind, key: scope.key }, query);
      const feed = buildFeed(scope, slice, query, { config, origin: base, defaultIcon: `${base}${ICON_PATH}` });
      if (query.page > feed.pages) throw new HttpError(400, `page: must be from 1 to ${feed.pages} for this feed, got ${query.page}`);
      return renderedFeed(feed, format, site.fragments);
    });
  };

  /** `2.rss` -> page 2 of the RSS feed; anything else is not a page. */
  const pageFile = (c: Context): { page: number; format: FeedFormat } => {
    const match = /^(\d{1,9})\.(rss|atom|json)$/.exec(c.req.param("file") ?? "");
    if (!match) throw new HttpError(404, `${clip(c.req.param("file") ?? "")} is not a feed page: pages are named like 2.rss, 2.atom or 2.json`);
    return { page: Number(match[1]), format: match[2] as FeedFormat };
  };
  site.route("/feed/page/:file", (c) => {
    const { page, format } = pageFile(c);
    return sendFeed(c, { kind: "all" }, format, page);
  });
  for (const kind of ["topic", "provider"] as const) {
    site.route(`/${SEGMENT[kind]}/:key/feed/page/:file`, async (c) => {
      const { page, format } = pageFile(c);
      const group = await findGroup(c, site, kind, `/feed/page/${c.req.param("file")}`);
      if (group instanceof Response) return group;
      return sendFeed(c, scopeOf(group), format, page);
    });
  }

  for (const format of FORMAT_NAMES) {
    const file = `/feed.${FORMATS[format].extension}`;
    site.route(file, (c) => sendFeed(c, { kind: "all" }, format));
    for (const kind of ["topic", "provider"] as const) {
      site.route(`/${SEGMENT[kind]}/:key${file}`, async (c) => {
        const group = await findGroup(c, site, kind, file);
        if (group instanceof Response) return group;
        return sendFeed(c, scopeOf(group), format);
      });
    }
  }
}
