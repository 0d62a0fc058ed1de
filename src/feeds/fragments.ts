/**
 * Each item's markup per format, rendered once and reused: an article is in
 * about four feeds (everything, its topics, its provider), each served in
 * three formats, and a static export renders every page of every one of them.
 * Keyed by the item, which model.ts builds once per article, so the memo lives
 * exactly as long as the articles do (a D1 request's items go with it).
 * `context` names what else of the feed the fragment shows (RSS: the origin
 * in <source>; JSON: the language); a different context renders afresh.
 */
import type { FeedFormat, FeedItem } from "./model.js";

const memo = new WeakMap<FeedItem, Partial<Record<FeedFormat, { context: string; text: string }>>>();

export function itemFragment(item: FeedItem, format: FeedFormat, context: string, render: () => string): string {
  let formats = memo.get(item);
  if (!formats) memo.set(item, (formats = {}));
  const known = formats[format];
  if (known?.context === context) return known.text;
  const text = render();
  formats[format] = { context, text };
  return text;
}
