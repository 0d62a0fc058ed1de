/**
 * One article file's text -> an Article, or the reasons it cannot publish.
 * Pure: no file system; the caller passes the file name for the reports.
 * gray-matter is Node-only (Buffer), so Workers never import this module.
 */
import matter from "gray-matter";
import * as v from "valibot";
import type { Article, ImageRef, RelatedLink } from "./article.js";
import { topicKey, urlUrn } from "./keys.js";
import type { ContentIssue } from "./report.js";
import { FrontMatterSchema, HttpUrl, ImageSchema, LogoSchema, RelatedSchema, TopicSchema, fieldOf, reasonOf } from "./schema.js";

/** A `---js` front-matter block would be evaluated by gray-matter's default engine: refuse it. */
function refuseScript(): never {
  throw new Error("JavaScript front matter is not allowed");
}
const MATTER_OPTIONS = {
  engines: { js: refuseScript, javascript: refuseScript, coffee: refuseScript, coffeescript: refuseScript, cson: refuseScript },
};

export interface ParsedFile {
  file: string;
  article?: Article;
  issues: ContentIssue[];
}

export function parseArticleFile(file: string, text: string): ParsedFile {
  const issues: ContentIssue[] = [];
  const error = (field: string, reason: string) => issues.push({ file, field, reason, severity: "error" });
  const warn = (field: string, reason: string) => issues.push({ file, field, reason, severity: "warning" });

  let data: unknown;
  try {
    // Passing options also turns off gray-matter's module-level cache keyed by file text.
    data = matter(text, MATTER_OPTIONS).data;
  } catch (cause) {
    error("front matter", `cannot be read: ${firstLine(cause)}`);
    return { file, issues };
  }

  const result = v.safeParse(FrontMatterSchema, data);
  if (!result.success) {
    for (const issue of result.issues) error(fieldOf(issue), reasonOf(issue));
    return { file, issues };
  }
  const fm = result.output;

  const url = pickLink(fm.webUrl, fm.originalUrl, error, warn);
  if (url === undefined) return { file, issues };

  const article: Article = {
    id: urlUrn(canonicalUrl(url)),
    file,
    title: fm.title,
    summary: fm.excerpt,
    published: fm.publishedDateTime,
    url,
    provider: { name: fm.provider.name, domain: fm.provider.domain },
    topics: pickTopics(fm.topics, warn),
    related: pickEach(fm.related, "related", RelatedSchema, warn).map(
      (item): RelatedLink => ({ title: item.title, url: item.webUrl, ...(item.provider?.name ? { providerName: item.provider.name } : {}) }),
    ),
    isPublished: fm.published,
  };
  const logo = pickEach(fm.provider.images, "provider.images", LogoSchema, warn)[0];
  if (logo) article.provider.logo = compactImage(logo);
  const image = pickEach(fm.images, "images", ImageSchema, warn)[0];
  if (image) article.image = compactImage(image);
  return { file, article, issues };
}

/** `webUrl`, else `originalUrl`; a bad `webUrl` with a good `originalUrl` is only a warning. */
function pickLink(
  webUrl: unknown,
  originalUrl: unknown,
  error: (field: string, reason: string) => void,
  warn: (field: string, reason: string) => void,
): string | undefined {
  const web = webUrl === undefined ? undefined : v.safeParse(HttpUrl, webUrl);
  if (web?.success) return web.output;
  const original = originalUrl === undefined ? undefined : v.safeParse(HttpUrl, originalUrl);
  if (original?.success) {
    if (web) warn("webUrl", `${web.issues[0].message}; originalUrl is used instead`);
    return original.output;
  }
  if (web) error("webUrl", web.issues[0].message);
  else if (original) error("originalUrl", original.issues[0].message);
  else error("webUrl", "is missing (and there is no originalUrl)");
  return undefined;
}

/** Entries that pass the schema; each one that fails is dropped with a warning naming it. */
function pickEach<S extends v.GenericSchema>(
  entries: unknown[],
  field: string,
  schema: S,
  warn: (field: string, reason: string) => void,
): v.InferOutput<S>[] {
  const kept: v.InferOutput<S>[] = [];
  entries.forEach((entry, index) => {
    const result = v.safeParse(schema, entry);
    if (result.success) kept.push(result.output);
    else warn(fieldOf(result.issues[0], `${field}[${index}]`), `${reasonOf(result.issues[0])}; this entry is left out`);
  });
  return kept;
}

/** Topic names, one per key ("AI" and "ai" are one topic), in the order written. */
function pickTopics(entries: unknown[], warn: (field: string, reason: string) => void): string[] {
  const byKey = new Map<string, string>();
  pickEach(entries, "topics", TopicSchema, warn).forEach((name) => {
    const key = topicKey(name);
    if (key === "") warn("topics", `${JSON.stringify(name)} has no letters or digits; this topic is left out`);
    else if (!byKey.has(key)) byKey.set(key, name);
  });
  return [...byKey.values()];
}

function compactImage(image: { url: string; width?: number; height?: number }): ImageRef {
  return { url: image.url, ...(image.width ? { width: image.width } : {}), ...(image.height ? { height: image.height } : {}) };
}

/** The URL that names the article: without its fragment, which never names a different page. */
function canonicalUrl(href: string): string {
  const hash = href.indexOf("#");
  return hash === -1 ? href : href.slice(0, hash);
}

function firstLine(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).split("\n")[0].trim();
}
