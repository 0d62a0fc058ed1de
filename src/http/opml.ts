/**
 * OPML 2.0 subscription lists (http://opml.org/spec2.opml): `/feeds.opml`
 * (everything, then a folder of topics and one of providers), `/topics.opml`,
 * `/providers.opml`, and one per topic and provider. One folder level at most:
 * Miniflux, NetNewsWire and Fluent Reader flatten or fail on deeper nesting.
 * `?format=atom|json` lists those URLs instead of RSS.
 */
import type { Context } from "hono";
import { EPOCH, FORMATS, type FeedFormat, feedPath, pagePath } from "../feeds/model.js";
import { xmlEscapeAttribute } from "../feeds/xml.js";
import type { GroupInfo, GroupKind, StoreScope } from "../index/store.js";
import { HttpError } from "./errors.js";
import { SEGMENT, findGroup } from "./groups.js";
import type { Site } from "./site.js";

const OPML_TYPE = "text/x-opml; charset=utf-8";

function formatOf(c: Context): FeedFormat {
  const format = c.req.query("format") ?? "rss";
  if (!(format in FORMATS)) throw new HttpError(400, "format: must be rss, atom or json");
  return format as FeedFormat;
}

function outline(origin: string, format: FeedFormat, title: string, scope: StoreScope): string {
  const attributes = { type: "rss", text: title, title, xmlUrl: `${origin}${feedPath(scope)}.${FORMATS[format].extension}`, htmlUrl: `${origin}${pagePath(scope)}` };
  return `<outline ${Object.entries(attributes)
    .map(([name, value]) => `${name}="${xmlEscapeAttribute(value)}"`)
    .join(" ")}/>`;
}

function document(title: string, updated: string, body: string[]): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    `<head><title>${xmlEscapeAttribute(title)}</title><dateModified>${new Date(updated).toUTCString()}</dateModified><docs>http://opml.org/spec2.opml</docs></head>`,
    "<body>",
    ...body,
    "</body>",
    "</opml>",
    "",
  ].join("\n");
}

const newestOf = (groups: GroupInfo[]) => groups.reduce((newest, group) => (group.newest > newest ? group.newest : newest), EPOCH);

export function opmlRoutes(site: Site): void {
  const { store, config } = site;
  const titled = (name: string) => `${config.siteTitle}: ${name}`;
  const groupOutlines = (origin: string, format: FeedFormat, kind: GroupKind, groups: GroupInfo[]) =>
    groups.map((group) => outline(origin, format, titled(group.name), { kind, key: group.key }));

  site.route("/feeds.opml", (c) => {
    const format = formatOf(c);
    return site.send(c, `/feeds.opml?format=${format}`, async () => {
      const origin = site.origin(c);
      const [overview, topics, providers] = await Promise.all([store.overview(), store.groups("topic"), store.groups("provider")]);
      const body = [
        outline(origin, format, config.siteTitle, { kind: "all" }),
        '<outline text="Topics" title="Topics">',
        ...groupOutlines(origin, format, "topic", topics),
        "</outline>",
        '<outline text="Providers" title="Providers">',
        ...groupOutlines(origin, format, "provider", providers),
        "</outline>",
      ];
      return { body: document(`${config.siteTitle}: all feeds`, overview.newest ?? EPOCH, body), contentType: OPML_TYPE, updated: overview.newest ?? EPOCH };
    });
  });

  for (const kind of ["topic", "provider"] as const) {
    const segment = SEGMENT[kind];
    site.route(`/${segment}.opml`, (c) => {
      const format = formatOf(c);
      return site.send(c, `/${segment}.opml?format=${format}`, async () => {
        const groups = await store.groups(kind);
        const updated = newestOf(groups);
        return { body: document(`${config.siteTitle}: ${segment}`, updated, groupOutlines(site.origin(c), format, kind, groups)), contentType: OPML_TYPE, updated };
      });
    });
    site.route(`/${segment}/:key/feeds.opml`, async (c) => {
      const format = formatOf(c);
      const group = await findGroup(c, site, kind, "/feeds.opml");
      if (group instanceof Response) return group;
      return site.send(c, `/${segment}/${group.key}/feeds.opml?format=${format}`, async () => ({
        body: document(titled(group.name), group.newest, groupOutlines(site.origin(c), format, kind, [group])),
        contentType: OPML_TYPE,
        updated: group.newest,
      }));
    });
  }
}
