/**
 * The feed routes: everything, each topic, each provider, in every format,
 * with paging and filters. A non-canonical topic key or query spelling is
 * redirected, so that every feed page has one URL and its self link names it.
 */
import type { Context } from "hono";
import { type FeedFormat, type FeedScope, FORMATS, FORMAT_NAMES, buildFeed, feedPath, feedUrl, queryString } from "../feeds/model.js";
import { renderFeed } from "../feeds/render.js";
import { HttpError } from "./errors.js";
import { SEGMENT, findGroup } from "./groups.js";
import { respond } from "./headers.js";
import { ICON_PATH } from "./icon.js";
import { canonicalSearch, parseFeedQuery } from "./params.js";
import { type Site, pathOf, searchOf } from "./site.js";

const NO_PARAMETERS = new URLSearchParams();

export function feedRoutes(site: Site): void {
  const { store, config } = site;

  const sendFeed = (c: Context, scope: FeedScope, format: FeedFormat) => {
    const search = searchOf(c.req.url);
    const query = parseFeedQuery(search ? new URLSearchParams(search.slice(1)) : NO_PARAMETERS, config);
    const canonical = canonicalSearch(search, query, config.defaultLimit);
    if (canonical !== search) return respond(null, 301, { Location: `${pathOf(c.req.url)}${canonical}`, "Cache-Control": "public, max-age=86400" });
    const key = `${feedPath(scope)}.${format}${queryString(query, config.defaultLimit)}`;
    return site.send(c, key, async () => {
      const base = site.origin(c);
      const slice = await store.slice(scope.kind === "all" ? scope : { kind: scope.kind, key: scope.key }, query);
      const feed = buildFeed(scope, slice, query, { config, origin: base, defaultIcon: `${base}${ICON_PATH}` });
      if (query.page > feed.pages) throw new HttpError(400, `page: must be from 1 to ${feed.pages} for this feed, got ${query.page}`);
      const self = feedUrl(feed, format, feed.links.self);
      const link = feed.hubs.length > 0 ? [...feed.hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(", ") : undefined;
      return { body: renderFeed(feed, format), contentType: FORMATS[format].contentType, updated: feed.updated, ...(link ? { headers: { Link: link } } : {}) };
    });
  };

  for (const format of FORMAT_NAMES) {
    const file = `/feed.${FORMATS[format].extension}`;
    site.route(file, (c) => sendFeed(c, { kind: "all" }, format));
    for (const kind of ["topic", "provider"] as const) {
      site.route(`/${SEGMENT[kind]}/:key${file}`, async (c) => {
        const group = await findGroup(c, store, kind, file);
        if (group instanceof Response) return group;
        return sendFeed(c, { kind, key: group.key, name: group.name, ...(group.logo ? { logo: group.logo } : {}) }, format);
      });
    }
  }
}
