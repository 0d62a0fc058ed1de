/**
 * OPML 2.0 subscription lists (http://opml.org/spec2.opml): `/feeds.opml`
 * (everything, then a folder of topics and one of providers), `/topics.opml`,
 * `/providers.opml`, and one per topic and provider. One folder level at most:
 * Miniflux, NetNewsWire and Fluent Reader flatten or fail on deeper nesting.
 * `?format=atom|json` lists those URLs instead of RSS; `?digest=daily|weekly`
 * lists the digests of everything and of each topic instead of their full
 * feeds (providers, one source each, have none).
 */
import type { Context } from "hono";
import { EPOCH } from "../feeds/model.js";
import {
  FORMATS,
  type FeedFormat,
  feedPath,
  pagePath,
  digestPath,
  SEGMENT,
} from "../scheme/paths.js";
import { xmlEscapeAttribute } from "../feeds/xml.js";
import type { GroupInfo, GroupKind, StoreScope } from "../index/store.js";
import { type DigestKind, DIGEST_KINDS } from "../index/digest.js";
import { ROUTES } from "../scheme/routes.js";
import { HttpError } from "./errors.js";
import { findGroup } from "./groups.js";
import type { Site } from "./site.js";

const OPML_TYPE = "text/x-opml; charset=utf-8";

function formatOf(c: Context): FeedFormat {
  const format = c.req.query("format") ?? "rss";
  if (!(format in FORMATS)) throw new HttpError(400, "format: must be rss, atom or json");
  return format as FeedFormat;
}

/** `?digest=`: absent for the full feeds. */
function digestOf(c: Context): DigestKind | undefined {
  const digest = c.req.query("digest");
  if (digest === undefined) return undefined;
  if (!(DIGEST_KINDS as readonly string[]).includes(digest))
    throw new HttpError(400, "digest: must be daily or weekly");
  return digest as DigestKind;
}

/** What one outline lists: a format, and a digest kind instead of the full feed. */
interface Listing {
  format: FeedFormat;
  digest?: DigestKind;
}

function outline(
  origin: string,
  { format, digest }: Listing,
  name: string,
  scope: StoreScope,
): string {
  const title = digest ? `${name}, ${digest} digest` : name;
  const path = digest ? digestPath(scope, digest) : feedPath(scope);
  const attributes = {
    type: "rss",
    text: title,
    title,
    xmlUrl: `${origin}${path}.${FORMATS[format].extension}`,
    htmlUrl: `${origin}${pagePath(scope)}`,
  };
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

const newestOf = (groups: GroupInfo[]) =>
  groups.reduce((newest, group) => (group.newest > newest ? group.newest : newest), EPOCH);

export function opmlRoutes(site: Site): void {
  const { store, config } = site;
  const titled = (name: string) => `${config.siteTitle}: ${name}`;
  const groupOutlines = (origin: string, listing: Listing, kind: GroupKind, groups: GroupInfo[]) =>
    groups.map((group) => outline(origin, listing, titled(group.name), { kind, key: group.key }));
  const listingOf = (c: Context, kind?: GroupKind): Listing => {
    const digest = digestOf(c);
    if (digest && kind === "provider")
      throw new HttpError(
        400,
        "digest: providers have no digests (a digest ranks many sources); leave it out, or ask /topics.opml",
      );
    return { format: formatOf(c), ...(digest ? { digest } : {}) };
  };
  const keyOf = (path: string, { format, digest }: Listing) =>
    `${path}?format=${format}${digest ? `&digest=${digest}` : ""}`;

  /** Everything's OPML: the site's feeds, then every topic's and provider's. */
  const everyFeed = (c: Context) => {
    const listing = listingOf(c);
    return site.send(c, keyOf("/feeds.opml", listing), async () => {
      const origin = site.origin(c);
      const [overview, topics, providers] = await Promise.all([
        store.overview(),
        store.groups("topic"),
        store.groups("provider"),
      ]);
      const body = [
        outline(origin, listing, config.siteTitle, { kind: "all" }),
        '<outline text="Topics" title="Topics">',
        ...groupOutlines(origin, listing, "topic", topics),
        "</outline>",
        // Digests rank many sources: a provider has none.
        ...(listing.digest
          ? []
          : [
              '<outline text="Providers" title="Providers">',
              ...groupOutlines(origin, listing, "provider", providers),
              "</outline>",
            ]),
      ];
      const title = `${config.siteTitle}: ${listing.digest ? `${listing.digest} digests` : "all feeds"}`;
      return {
        body: document(title, overview.newest ?? EPOCH, body),
        contentType: OPML_TYPE,
        updated: overview.newest ?? EPOCH,
      };
    });
  };

  site.route(ROUTES.directoryOpml, (c, { kind }) => {
    const segment = SEGMENT[kind];
    const listing = listingOf(c, kind);
    return site.send(c, keyOf(`/${segment}.opml`, listing), async () => {
      const groups = await store.groups(kind);
      const updated = newestOf(groups);
      return {
        body: document(
          `${config.siteTitle}: ${segment}`,
          updated,
          groupOutlines(site.origin(c), listing, kind, groups),
        ),
        contentType: OPML_TYPE,
        updated,
      };
    });
  });
  site.route(ROUTES.opml, async (c, { kind }) => {
    if (kind === "all") return everyFeed(c);
    const listing = listingOf(c, kind);
    const group = await findGroup(c, site, kind, "/feeds.opml");
    if (group instanceof Response) return group;
    return site.send(c, keyOf(`/${SEGMENT[kind]}/${group.key}/feeds.opml`, listing), async () => ({
      body: document(
        titled(group.name),
        group.newest,
        groupOutlines(site.origin(c), listing, kind, [group]),
      ),
      contentType: OPML_TYPE,
      updated: group.newest,
    }));
  });
}
