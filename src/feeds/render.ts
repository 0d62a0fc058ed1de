import { renderAtom } from "./atom.js";
import { renderJson } from "./json.js";
import type { FeedDocument, FeedFormat } from "./model.js";
import { renderRss } from "./rss.js";

const RENDERERS: Record<FeedFormat, (feed: FeedDocument) => string> = { rss: renderRss, atom: renderAtom, json: renderJson };

export function renderFeed(feed: FeedDocument, format: FeedFormat): string {
  return RENDERERS[format](feed);
}
