/**
 * One article file's text -> an Article, or the reasons it cannot publish.
 * Pure: no file system; the caller passes the file name for the reports.
 * gray-matter is Node-only (Buffer), so Workers never import this module.
 */
import matter from "gray-matter";
import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import * as v from "valibot";
import type { Article, ImageRef, RelatedLink } from "./article.js";
import { topicKey, urlUrn } from "./keys.js";
import type { ContentIssue } from "./report.js";
import {
  EXCERPT_MAX,
  FrontMatterSchema,
  HttpUrl,
  ImageSchema,
  LogoSchema,
  RelatedSchema,
  TopicSchema,
  fieldOf,
  reasonOf,
} from "./schema.js";
import { decodeArticleBytes, truncateAtWord } from "./text.js";

/** A `---js` front-matter block would be evaluated by gray-matter's default engine: refuse it. */
function refuseScript(): never {
  throw new Error("JavaScript front matter is not allowed");
}
/**
 * YAML with the core schema: no timestamp type, which would turn 2021-13-45
 * into a Date in 2022 without a word; dates stay text and are checked strictly.
 */
function parseYaml(text: string): object {
  return (loadYaml(text, { schema: CORE_SCHEMA }) ?? {}) as object;
}
const MATTER_OPTIONS = {
  engines: {
    yaml: parseYaml,
    js: refuseScript,
    javascript: refuseScript,
    coffee: refuseScript,
    coffeescript: refuseScript,
    cson: refuseScript,
  },
};

/** A file's front matter as read for parsing (the core schema; script front matter refused). */
export function frontMatterOf(text: string): Record<string, unknown> {
  return matter(text, MATTER_OPTIONS).data;
}

export interface ParsedFile {
  file: string;
  article?: Article;
  issues: ContentIssue[];
}

/** A file as read from disk: decoded first (an undecodable file is reported, never guessed at silently). */
export function parseArticleBytes(file: string, bytes: Uint8Array): ParsedFile {
  const decoded = decodeArticleBytes(bytes);
  if ("error" in decoded)
    return { file, issues: [{ file, field: "file", reason: decoded.error, severity: "error" }] };
  const parsed = parseArticleFile(file, decoded.text);
  if (decoded.warning)
    parsed.issues.unshift({ file, field: "file", reason: decoded.warning, severity: "warning" });
  return parsed;
}

export function parseArticleFile(file: string, text: string): ParsedFile {
  const issues: ContentIssue[] = [];
  const error = (field: string, reason: string) =>
    issues.push({ file, field, reason, severity: "error" });
  const warn = (field: string, reason: string) =>
    issues.push({ file, field, reason, severity: "warning" });

  let data: unknown;
  try {
    // Passing options also turns off gray-matter's module-level cache keyed by file text.
    data = frontMatterOf(text);
  } catch (cause) {
    error("front matter", `cannot be read: ${yamlProblem(cause, text)}`);
    return { file, issues };
  }
  if (typeof data !== "object" || data === null || Object.keys(data).length === 0) {
    error(
      "front matter",
      "is missing: the file must start with a --- line, then YAML fields such as title:, then ---",
    );
    return { file, issues };
  }

  // Both checks run whatever the other finds, so that one pass reports every problem of the file.
  const result = v.safeParse(FrontMatterSchema, data);
  if (!result.success) for (const issue of result.issues) error(fieldOf(issue), reasonOf(issue));
  const record = data as Record<string, unknown>;
  const url = pickLink(record.webUrl, record.originalUrl, error, warn);
  if (!result.success || url === undefined) return { file, issues };
  const fm = result.output;

  const article: Article = {
    id: urlUrn(canonicalUrl(url)),
    file,
    title: fm.title,
    summary: pickExcerpt(fm.excerpt, warn),
    published: fm.publishedDateTime,
    url,
    provider: { name: fm.provider.name, domain: fm.provider.domain },
    topics: pickTopics(fm.topics, warn),
    related: pickEach(fm.related, "related", RelatedSchema, warn).map((item): RelatedLink => ({
      title: item.title,
      url: item.webUrl,
      ...(item.provider?.name ? { providerName: item.provider.name } : {}),
    })),
    isPublished: fm.published,
  };
  const heat = pickSignal(record.heat, "heat", warn);
  // The source writes -1 for a story it never ranked: no heat, not the coldest one.
  if (heat !== undefined && heat >= 0) article.heat = heat;
  const quality = pickSignal(record.quality, "quality", warn);
  if (quality !== undefined) article.quality = quality;
  const logo = pickEach(fm.provider.images, "provider.images", LogoSchema, warn)[0];
  if (logo) article.provider.logo = compactImage(logo);
  const image = pickEach(fm.images, "images", ImageSchema, warn)[0];
  if (image) article.image = compactImage(image);
  return { file, article, issues };
}

/** A ranking signal: a number, or nothing; anything else is reported, and the article ranks as if it had none. */
function pickSignal(
  value: unknown,
  field: string,
  warn: (field: string, reason: string) => void,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  warn(
    field,
    `must be a number, got ${JSON.stringify(value).slice(0, 40)}; the article ranks as if it had none`,
  );
  return undefined;
}

/** An over-long excerpt is cut at a word boundary, never a reason to lose the article. */
function pickExcerpt(excerpt: string, warn: (field: string, reason: string) => void): string {
  if (excerpt.length <= EXCERPT_MAX) return excerpt;
  warn(
    "excerpt",
    `is ${excerpt.length} characters long; it was cut at a word boundary to at most ${EXCERPT_MAX}`,
  );
  return truncateAtWord(excerpt, EXCERPT_MAX);
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
    else
      warn(
        fieldOf(result.issues[0], `${field}[${index}]`),
        `${reasonOf(result.issues[0])}; this entry is left out`,
      );
  });
  return kept;
}

/** Topic names, one per key ("AI" and "ai" are one topic), in the order written. */
function pickTopics(entries: unknown[], warn: (field: string, reason: string) => void): string[] {
  const byKey = new Map<string, string>();
  pickEach(entries, "topics", TopicSchema, warn).forEach((name) => {
    const key = topicKey(name);
    if (key === "")
      warn("topics", `${JSON.stringify(name)} has no letters or digits; this topic is left out`);
    else if (!byKey.has(key)) byKey.set(key, name);
  });
  return [...byKey.values()];
}

function compactImage(image: { url: string; width?: number; height?: number }): ImageRef {
  return {
    url: image.url,
    ...(image.width ? { width: image.width } : {}),
    ...(image.height ? { height: image.height } : {}),
  };
}

/** The URL that names the article: without its fragment, which never names a different page. */
function canonicalUrl(href: string): string {
  const hash = href.indexOf("#");
  return hash === -1 ? href : href.slice(0, hash);
}

function firstLine(cause: unknown): string {
  return (cause instanceof Error ? cause.message : String(cause)).split("\n")[0].trim();
}

/**
 * A YAML error as a line of the file. js-yaml names where it gave up, and
 * for a quote left open that is lines after the problem: the line where an
 * unclosed quoted value opens is named instead.
 */
function yamlProblem(cause: unknown, text: string): string {
  const { mark, reason } = cause as { mark?: { line: number }; reason?: string };
  if (!mark || typeof reason !== "string") return firstLine(cause);
  // The front matter starts on the file's second line, after its opening ---.
  const gaveUp = mark.line + 2;
  const lines = text.split(/\r?\n/).slice(1, gaveUp);
  const opened = lines.findIndex(opensUnclosedQuote);
  return opened === -1
    ? `line ${gaveUp}: ${reason}`
    : `line ${opened + 2}: a quoted value opens there and is not closed on that line`;
}

/** `title: "Unclosed` or `- 'item`: a value that starts with a quote its line does not close. */
function opensUnclosedQuote(line: string): boolean {
  const value = /^\s*(?:-\s+|[^:#]+:\s+)(["'])(.*)$/.exec(line);
  if (!value) return false;
  const [, quote, rest] = value;
  const closing = quote === '"' ? /(?<!\\)"/ : /'(?!')/;
  return !closing.test(quote === "'" ? rest.replace(/''/g, "") : rest);
}
