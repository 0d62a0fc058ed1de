import { renderAtom } from "./atom.js";
import { renderJson } from "./json.js";
import type { ItemFragments } from "./fragments.js";
import type { FeedDocument } from "./model.js";
import type { FeedFormat } from "../scheme/paths.js";
import { renderRss } from "./rss.js";

const RENDERERS: Record<FeedFormat, (feed: FeedDocument, fragments?: ItemFragments) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJson,
};

export function renderFeed(
  feed: FeedDocument,
  format: FeedFormat,
  fragments?: ItemFragments,
): string {
  return RENDERERS[format](feed, fragments);
}
