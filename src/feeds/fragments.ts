/**
 * Each item's markup per format, rendered once and reused: an article is in
 * about four feeds (everything, its topics, its provider), each served in
 * three formats, and a static export renders every page of every one of them.
 * Keyed by the item, which model.ts builds once per article, so a memo lives
 * no longer than the articles do. It is opt-in (AppOptions.itemFragments): it
 * holds about 3.6 KB per article once every feed is rendered, which the Node
 * server and the export can spare and a Worker's 128 MB isolate should not.
 * `context` names what else of the feed the fragment shows (RSS: the origin
 * in <source>; JSON: the language); a different context renders afresh.
 */
import type { FeedItem } from "./model.js";
import type { FeedFormat } from "../scheme/paths.js";

export interface ItemFragments {
  get(item: FeedItem, format: FeedFormat, context: string, render: () => string): string;
}

export const renderEveryTime: ItemFragments = {
  get: (_item, _format, _context, render) => render(),
};

export function createItemFragments(): ItemFragments {
  const memo = new WeakMap<
    FeedItem,
    Partial<Record<FeedFormat, { context: string; text: string }>>
  >();
  return {
    get(item, format, context, render) {
      let formats = memo.get(item);
      if (!formats) memo.set(item, (formats = {}));
      const known = formats[format];
      if (known?.context === context) return known.text;
      const text = render();
      formats[format] = { context, text };
      return text;
    },
  };
}
