/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). */
import { type FeedDocument, feedUrl } from "./model.js";

export function renderJson(feed: FeedDocument): string {
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
    items: feed.items.map((item) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      content_html: item.contentHtml,
      summary: item.summary || undefined,
      image: item.image?.url,
      date_published: item.published,
      tags: item.categories.length > 0 ? item.categories : undefined,
      authors: [item.author],
      language: feed.language,
    })),
  };
  // `<` as \u003c keeps the JSON inert even if a page inlines it in a <script>.
  return `${JSON.stringify(document).replace(/</g, "\\u003c")}\n`;
}
