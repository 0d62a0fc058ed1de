/**
 * How every link of the site is built: the path of each kind of document,
 * under the mount path (origins and base paths are the caller's). The routes
 * that answer these paths are declared in routes.ts, which a test keeps in
 * step with these builders.
 */
import type { DigestKind } from "../index/digest.js";
import type { GroupKind, StoreScope } from "../index/store.js";

/** The feed formats: each is the extension of its files, and the type they are sent as. */
export const FORMATS = {
  rss: { extension: "rss", contentType: "application/rss+xml; charset=utf-8" },
  atom: { extension: "atom", contentType: "application/atom+xml; charset=utf-8" },
  json: { extension: "json", contentType: "application/feed+json; charset=utf-8" },
} as const;
export type FeedFormat = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FeedFormat[];

export const GROUP_KINDS: readonly GroupKind[] = ["topic", "provider"];
/** The path segment of a group kind's directory: `/topics/`, `/providers/`. */
export const SEGMENT: Record<GroupKind, "topics" | "providers"> = {
  topic: "topics",
  provider: "providers",
};

export const ICON_PATH = "/icon.png";

/** A scope's feed, without extension: `/feed`, `/topics/{key}/feed`, `/providers/{key}/feed`. */
export function feedPath(scope: StoreScope): string {
  return `${groupPath(scope)}/feed`;
}

/** The HTML page of a scope: `/` for everything, `/topics/{key}/`, `/providers/{key}/`. */
export function pagePath(scope: StoreScope): string {
  return `${groupPath(scope)}/`;
}

/** "" for everything, `/topics/{key}` for a topic: what a scope's paths start with. */
function groupPath(scope: StoreScope): string {
  return scope.kind === "all" ? "" : `/${SEGMENT[scope.kind]}/${encodeURIComponent(scope.key)}`;
}

/** An article's page on this site: `/articles/{uuid}/` (its id without `urn:uuid:`). */
export const articlePath = (id: string): string =>
  `/articles/${encodeURIComponent(id.replace(/^urn:uuid:/, ""))}/`;

/** Archive `number` of a feed, after its path: `/feed/archive/3.rss`. */
export const archiveLocator = (number: number): string => `/archive/${number}`;

/** Archive page `number` of a group's page (`/topics/ai/`): `/topics/ai/archive/3/`. */
export const archivePagePath = (page: string, number: number): string =>
  `${page}archive/${number}/`;

/** The scope's OPML: `/feeds.opml` for everything (whose page is `/`), `/topics/{key}/feeds.opml`. */
export const opmlPath = (scope: StoreScope): string => `${pagePath(scope)}feeds.opml`;

/** The embeddable page of a scope: `/embed/`, `/embed/topics/{key}/`. */
export const embedPath = (scope: StoreScope): string => `/embed${pagePath(scope)}`;

/** The digest feed's path without extension: `/digest/daily`, `/topics/ai/digest/weekly`. */
export function digestPath(scope: StoreScope, kind: DigestKind): string {
  return `${groupPath(scope)}/digest/${kind}`;
}

/** The page of one period: every article of it, ranked. */
export function digestPagePath(scope: StoreScope, kind: DigestKind, key: string): string {
  return `${digestPath(scope, kind)}/${key}/`;
}
