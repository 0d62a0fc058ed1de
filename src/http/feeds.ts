/**
 * The feed routes: everything, each topic, each provider, in every format,
 * with paging and filters. A non-canonical topic key or query spelling is
 * redirected, so that every feed page has one URL and its self link names it.
 */
import type { Context } from "hono";
import type { ItemFragments } from "../feeds/fragments.js";
import {
  type FeedDocument,
  type FeedScope,
  buildArchive,
  buildFeed,
  feedUrl,
  queryString,
} from "../feeds/model.js";
import { completeArchives } from "../scheme/paging.js";
import { type FeedFormat, FORMATS, archiveLocator, feedPath, ICON_PATH } from "../scheme/paths.js";
import { renderFeed } from "../feeds/render.js";
import type { StoreScope } from "../index/store.js";
import { ROUTES } from "../scheme/routes.js";
import { HttpError, clip } from "./errors.js";
import { findScope } from "./groups.js";
import { IMMUTABLE, temporaryRedirect } from "./headers.js";
import { canonicalFeedLocation, parseFeedQuery } from "./params.js";
import { type RenderedBody, type Site, searchOf } from "./site.js";

/** A feed document as a response body: its format's type, its date, and the WebSub Link header when hubs are set. */
export function renderedFeed(
  feed: FeedDocument,
  format: FeedFormat,
  fragments: ItemFragments,
): RenderedBody {
  const self = feedUrl(feed, format, feed.links.self);
  const link =
    feed.hubs.length > 0
      ? [...feed.hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(", ")
      : undefined;
  return {
    body: renderFeed(feed, format, fragments),
    contentType: FORMATS[format].contentType,
    updated: feed.updated,
    ...(link ? { headers: { Link: link } } : {}),
  };
}

const storeScope = (scope: FeedScope): StoreScope =>
  scope.kind === "all" ? scope : { kind: scope.kind, key: scope.key };

export function feedRoutes(site: Site): void {
  const { store, config } = site;

  /** `pathPage`: the N of `/feed/page/N.rss`, which stands for `?page=N`. */
  const sendFeed = (c: Context, scope: FeedScope, format: FeedFormat, pathPage?: number) => {
    const search = searchOf(c.req.url);
    const params = new URLSearchParams(search.slice(1));
    if (pathPage !== undefined) {
      if (params.has("page"))
        throw new HttpError(400, "page: given in the path and in the query; give it once");
      params.set("page", String(pathPage));
    }
    const query = parseFeedQuery(params, config);
    const canonical = canonicalFeedLocation(
      feedPath(scope),
      FORMATS[format].extension,
      search,
      query,
      config.defaultLimit,
    );
    const redirect = site.redirectUnlessAt(c, canonical);
    if (redirect) return redirect;
    const key = `${feedPath(scope)}.${format}${queryString(query, config.defaultLimit)}`;
    return site.send(c, key, async () => {
      const base = site.origin(c);
      const slice = await store.slice(storeScope(scope), query);
      const feed = buildFeed(scope, slice, query, {
        config,
        origin: base,
        defaultIcon: `${base}${ICON_PATH}`,
      });
      if (query.page > feed.pages)
        throw new HttpError(
          400,
          `page: must be from 1 to ${feed.pages} for this feed, got ${query.page}`,
        );
      return renderedFeed(feed, format, site.fragments);
    });
  };

  /**
   * Archive `number` of a scope whose `published` articles are out. Complete
   * archives never change, and are cached for a year; the next one, still
   * filling, is linked by the newest archive before it exists: until then it
   * sends readers to the feed itself, which holds its articles.
   */
  const sendArchive = (
    c: Context,
    scope: FeedScope,
    format: FeedFormat,
    number: number,
    published: number,
  ) => {
    const path = feedPath(scope);
    const current = `${path}.${FORMATS[format].extension}`;
    const complete = completeArchives(published, config.defaultLimit);
    if (number === complete + 1)
      return temporaryRedirect(`${config.basePath}${current}`, config.cacheMaxAge);
    if (number > complete) {
      throw new HttpError(
        404,
        `archive ${number} of ${current} does not exist: ${complete === 0 ? "it has none, as all its articles fit in it" : `it has archives 1 to ${complete}, oldest first`}`,
      );
    }
    const key = `${path}${archiveLocator(number)}.${FORMATS[format].extension}`;
    const redirect = site.redirectUnlessAt(c, key);
    if (redirect) return redirect;
    return site.send(c, key, async () => {
      const base = site.origin(c);
      const slice = await store.fromOldest(
        storeScope(scope),
        (number - 1) * config.defaultLimit,
        config.defaultLimit,
      );
      const feed = buildArchive(scope, slice, number, {
        config,
        origin: base,
        defaultIcon: `${base}${ICON_PATH}`,
      });
      const rendered = renderedFeed(feed, format, site.fragments);
      return { ...rendered, headers: { ...rendered.headers, "Cache-Control": IMMUTABLE } };
    });
  };

  /** `2.rss` -> number 2 of the RSS feed's pages or archives; anything else is neither. */
  const numberedFile = (
    c: Context,
    what: "page" | "archive",
  ): { number: number; format: FeedFormat } => {
    const match = /^([1-9]\d{0,8})\.(rss|atom|json)$/.exec(c.req.param("file") ?? "");
    if (!match)
      throw new HttpError(
        404,
        `${clip(c.req.param("file") ?? "")} is not a feed ${what}: ${what}s are numbered from 1 and named like 2.rss, 2.atom or 2.json`,
      );
    return { number: Number(match[1]), format: match[2] as FeedFormat };
  };
  site.route(ROUTES.feed, async (c, { kind, format }) => {
    const found = await findScope(c, site, kind, `/feed.${format}`);
    return found instanceof Response ? found : sendFeed(c, found.scope, format);
  });
  site.route(ROUTES.feedPage, async (c, { kind }) => {
    const { number, format } = numberedFile(c, "page");
    const found = await findScope(c, site, kind, `/feed/page/${c.req.param("file")}`);
    return found instanceof Response ? found : sendFeed(c, found.scope, format, number);
  });
  site.route(ROUTES.feedArchive, async (c, { kind }) => {
    const { number, format } = numberedFile(c, "archive");
    const found = await findScope(c, site, kind, `/feed/archive/${c.req.param("file")}`);
    if (found instanceof Response) return found;
    const published = found.group?.count ?? (await store.overview()).articles;
    return sendArchive(c, found.scope, format, number, published);
  });
  // Other tools' feed URLs: a permanent redirect to ours (an unknown key then gets the feed's 404).
  site.route(ROUTES.movedFeed, (c, { to }) =>
    site.redirect(to.replace(":key", encodeURIComponent(c.req.param("key") ?? ""))),
  );
}
