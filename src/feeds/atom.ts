/** Atom 1.0 (RFC 4287) with RFC 5005 paging links and Media RSS thumbnails. */
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
import { element, emptyElement, htmlEscape } from "./xml.js";

export function renderAtom(feed: FeedDocument, fragments: ItemFragments = renderEveryTime): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n',
    `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"${historyNamespace(feed)} xml:lang="${feed.language}">\n`,
    element("id", feed.id),
    element("title", htmlEscape(feed.title), { type: "html" }),
    element("subtitle", htmlEscape(feed.description), { type: "html" }),
    emptyElement("link", { rel: "alternate", type: "text/html", href: feed.homeUrl }),
    ...linkRelations(feed.links).map(([rel, query]) =>
      emptyElement("link", {
        rel,
        type: "application/atom+xml",
        href: feedUrl(feed, "atom", query),
      }),
    ),
    ...feed.hubs.map((hub) => emptyElement("link", { rel: "hub", href: hub })),
    historyElement(feed),
    element("updated", feed.updated),
    element("generator", GENERATOR.name, { version: GENERATOR.version }),
    element("icon", feed.icon),
    element("logo", feed.icon),
    "\n",
  ];
  // The id differs from feed to feed (entryId), so it leads the entry and the rest is what is shared.
  for (const item of feed.items)
    out.push(
      "<entry>",
      element("id", entryId(feed, item)),
      fragments.get(item, "atom", "", () => atomEntryAfterId(item)),
    );
  out.push("</feed>\n");
  return out.join("");
}

function atomEntryAfterId(item: FeedItem): string {
  return [
    // Text constructs as type="html" holding escaped text: with type="text", text that merely
    // looks like markup ("</b>") is flagged as undeclared HTML by validators and some readers.
    element("title", htmlEscape(item.title), { type: "html" }),
    emptyElement("link", { rel: "alternate", type: "text/html", href: item.url }),
    item.image
      ? emptyElement("link", { rel: "enclosure", type: item.image.type, href: item.image.url })
      : "",
    element("published", item.published),
    element("updated", item.updated),
    `<author>${element("name", item.author.name)}${element("uri", item.author.url)}</author>`,
    ...item.categories.map((name) => emptyElement("category", { term: name })),
    item.summary ? element("summary", htmlEscape(item.summary), { type: "html" }) : "",
    element("content", item.contentHtml, { type: "html" }),
    item.image
      ? emptyElement("media:thumbnail", {
          url: item.image.url,
          width: item.image.width,
          height: item.image.height,
        })
      : "",
    "</entry>\n",
  ].join("");
}
