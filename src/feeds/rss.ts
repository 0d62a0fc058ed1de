/** RSS 2.0 with the atom (self, RFC 5005 paging), content and Media RSS modules. */
import { type ItemFragments, renderEveryTime } from "./fragments.js";
import {
  type FeedDocument,
  type FeedItem,
  GENERATOR,
  entryId,
  feedUrl,
  historyElement,
  historyNamespace,
  linkRelations,
} from "./model.js";
import { element, emptyElement, htmlEscape, xmlTextHex } from "./xml.js";

/** Plain text (titles, names) with hexadecimal references, per the RSS Best Practices Profile; URLs keep `&amp;`. */
const plainText = (
  name: string,
  text: string | undefined,
  attributes?: Record<string, string | number | undefined>,
) => element(name, text, attributes, xmlTextHex);

/** RFC 822 dates, which RSS 2.0 requires: `Thu, 30 Jun 2022 23:48:00 GMT`. */
function rfc822(iso: string): string {
  return new Date(iso).toUTCString();
}

export function renderRss(feed: FeedDocument, fragments: ItemFragments = renderEveryTime): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/"${historyNamespace(feed)}>\n`,
    "<channel>\n",
    plainText("title", feed.title),
    element("link", feed.homeUrl),
    plainText("description", feed.description),
    ...linkRelations(feed.links).map(([rel, query]) =>
      emptyElement("atom:link", {
        rel,
        type: "application/rss+xml",
        href: feedUrl(feed, "rss", query),
      }),
    ),
    ...feed.hubs.map((hub) => emptyElement("atom:link", { rel: "hub", href: hub })),
    historyElement(feed),
    element("language", feed.language),
    element("lastBuildDate", rfc822(feed.updated)),
    element("docs", "https://www.rssboard.org/rss-specification"),
    element("generator", `${GENERATOR.name} ${GENERATOR.version}`),
    element("ttl", String(feed.ttlMinutes)),
    feed.icon
      ? `<image>${element("url", feed.icon)}${plainText("title", feed.title)}${element("link", feed.homeUrl)}</image>`
      : "",
    "\n",
  ];
  // The id differs from feed to feed (entryId), so it leads the item and the rest is what is shared.
  for (const item of feed.items) {
    out.push(
      "<item>",
      element("guid", entryId(feed, item), { isPermaLink: "false" }),
      fragments.get(item, "rss", feed.origin, () => rssItemAfterId(item, feed.origin)),
    );
  }
  out.push("</channel>\n</rss>\n");
  return out.join("");
}

function rssItemAfterId(item: FeedItem, origin: string): string {
  return [
    plainText("title", item.title),
    element("link", item.url),
    element("pubDate", rfc822(item.published)),
    // Readers treat description as HTML: escape the plain-text excerpt as HTML first.
    element("description", htmlEscape(item.summary)),
    element("content:encoded", item.contentHtml),
    ...item.categories.map((name) => plainText("category", name)),
    item.providerFeedPath
      ? plainText("source", item.author.name, { url: `${origin}${item.providerFeedPath}.rss` })
      : "",
    item.image
      ? emptyElement("media:content", {
          url: item.image.url,
          medium: "image",
          type: item.image.type,
          width: item.image.width,
          height: item.image.height,
        }) +
        emptyElement("media:thumbnail", {
          url: item.image.url,
          width: item.image.width,
          height: item.image.height,
        })
      : "",
    "</item>\n",
  ].join("");
}
