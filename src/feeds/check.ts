/**
 * Checks one rendered feed the way a strict consumer reads it: XML that a
 * strict parser accepts (or JSON), then a maintained feed parser, then what
 * readers rely on: ids present and unique, absolute links, real dates, newest
 * first, a self link. Returns problems as sentences; none means it passed.
 * Used by `npm run check:feeds` and by the tests.
 */
import { parseFeed } from "@rowanmanning/feed-parser";
import { SaxesParser } from "saxes";
import type { FeedFormat } from "../scheme/paths.js";

export interface FeedCheck {
  items: number;
  problems: string[];
}

export function checkFeed(format: FeedFormat, body: string): FeedCheck {
  return format === "json" ? checkJsonFeed(body) : checkXmlFeed(body, format);
}

/** Well-formedness (XML 1.0 characters, namespaces, entities) by saxes; the first error, or undefined. */
function xmlError(xml: string): string | undefined {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let error: string | undefined;
  parser.on("error", (cause) => {
    error ??= cause.message;
  });
  try {
    parser.write(xml).close();
  } catch (cause) {
    error ??= cause instanceof Error ? cause.message : String(cause);
  }
  return error;
}

function checkXmlFeed(body: string, format: "rss" | "atom"): FeedCheck {
  const notWellFormed = xmlError(body);
  if (notWellFormed) return { items: 0, problems: [`not well-formed XML: ${notWellFormed}`] };
  let feed: ReturnType<typeof parseFeed>;
  try {
    feed = parseFeed(body);
  } catch (cause) {
    return {
      items: 0,
      problems: [
        `a feed parser rejects it: ${cause instanceof Error ? cause.message : String(cause)}`,
      ],
    };
  }
  const problems: string[] = [];
  if (feed.meta.type !== format) problems.push(`parsed as ${feed.meta.type}, expected ${format}`);
  if (!feed.self) problems.push("no self link");
  const items = feed.items.map((item) => ({
    id: item.id ?? undefined,
    url: item.url ?? undefined,
    title: item.title ?? undefined,
    date: item.published ?? undefined,
  }));
  problems.push(...itemProblems(items));
  return { items: items.length, problems };
}

function checkJsonFeed(body: string): FeedCheck {
  let feed: Record<string, unknown>;
  try {
    feed = JSON.parse(body);
  } catch (cause) {
    return {
      items: 0,
      problems: [`not JSON: ${cause instanceof Error ? cause.message : String(cause)}`],
    };
  }
  const problems: string[] = [];
  if (feed.version !== "https://jsonfeed.org/version/1.1")
    problems.push(`version is ${JSON.stringify(feed.version)}, not the JSON Feed 1.1 URL`);
  if (typeof feed.title !== "string") problems.push("no title");
  if (typeof feed.feed_url !== "string") problems.push("no feed_url");
  if (typeof feed.language !== "string") problems.push("no language");
  if (!Array.isArray(feed.items))
    return { items: 0, problems: [...problems, "items is not an array"] };
  const items = (feed.items as Record<string, unknown>[]).map((item, index) => {
    if (typeof item.id !== "string") problems.push(`item ${index + 1}: id is not a string`);
    if (
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/.test(
        String(item.date_published),
      )
    ) {
      problems.push(
        `item ${index + 1}: date_published ${JSON.stringify(item.date_published)} is not RFC 3339`,
      );
    }
    if (!Array.isArray(item.authors) || item.authors.length === 0)
      problems.push(`item ${index + 1}: no authors`);
    if (typeof item.content_html !== "string" && typeof item.content_text !== "string")
      problems.push(`item ${index + 1}: no content_html or content_text`);
    return {
      id: typeof item.id === "string" ? item.id : undefined,
      url: typeof item.url === "string" ? item.url : undefined,
      title: typeof item.title === "string" ? item.title : undefined,
      date: typeof item.date_published === "string" ? new Date(item.date_published) : undefined,
    };
  });
  problems.push(...itemProblems(items));
  return { items: items.length, problems };
}

function itemProblems(
  items: { id?: string; url?: string; title?: string; date?: Date }[],
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const at = `item ${index + 1}`;
    if (!item.id) problems.push(`${at}: no id`);
    else if (seen.has(item.id)) problems.push(`${at}: id ${item.id} repeats`);
    else seen.add(item.id);
    if (!item.title) problems.push(`${at}: no title`);
    if (!item.url || !/^https?:\/\/[^/]/.test(item.url))
      problems.push(`${at}: link ${JSON.stringify(item.url)} is not an absolute http(s) URL`);
    if (!item.date || Number.isNaN(item.date.getTime())) problems.push(`${at}: no valid date`);
    const previous = items[index - 1]?.date;
    if (item.date && previous && item.date.getTime() > previous.getTime())
      problems.push(`${at}: newer than the item before it`);
  });
  return problems;
}
