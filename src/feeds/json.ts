/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
import { type ItemFragments, renderEveryTime } from "./fragments.js";
import { type FeedDocument, type FeedItem, entryId, feedUrl } from "./model.js";

/** `<` as \u003c keeps the JSON inert even if a page inlines it in a <script>. */
const inert = (json: string) => json.replace(/</g, "\\u003c");

export function renderJson(feed: FeedDocument, fragments: ItemFragments = renderEveryTime): string {
  const document = {
    version: "https://jsonfeed.org/version/1.1",
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feedUrl(feed, "json", feed.links.self),
    description: feed.description,
    icon: feed.icon,
    favicon: feed.icon,
    language: feed.language,
    next_url: feed.links.next === undefined ? undefined : feedUrl(feed, "json", feed.links.next),
    hubs: feed.hubs.length > 0 ? feed.hubs.map((url) => ({ type: "WebSub", url })) : undefined,
    items: [],
  };
  // `items` is the last member: the document up to its `[]}`, then the items' own (memoised) JSON.
  const head = inert(JSON.stringify(document)).slice(0, -"[]}".length);
  // The id differs from feed to feed (entryId): it leads each item, then the shared members after the object's `{`.
  const items = feed.items.map(
    (item) =>
      `{"id":${JSON.stringify(entryId(feed, item))},${fragments.get(item, "json", feed.language, () => inert(JSON.stringify(jsonItem(item, feed.language))).slice(1))}`,
  );
  return `${head}[${items.join(",")}]}\n`;
}

function jsonItem(item: FeedItem, language: string) {
  return {
    url: item.url,
    title: item.title,
    content_html: item.contentHtml,
    summary: item.summary || undefined,
    image: item.image?.url,
    date_published: item.published,
    tags: item.categories.length > 0 ? item.categories : undefined,
    authors: [item.author],
    language,
  };
}
