/**
 * Front-matter schemas. Required fields are strict (a failure skips the file);
 * optional parts (images, related, topics, provider logo) are checked one entry
 * at a time so that one bad entry is dropped with a warning, not the article.
 */
import * as v from "valibot";
import { normaliseDateTime } from "./dates.js";
import { cleanText } from "./text.js";

const TITLE_MAX = 1_000;
/** Longer excerpts are cut at a word boundary, with a warning (see parse.ts). */
export const EXCERPT_MAX = 10_000;
const NAME_MAX = 200;

/** WordPress leaves `&#038;` / `&amp;` in URLs (seen in the real corpus); they mean `&`. */
function decodeUrlAmpersands(value: string): string {
  return value.replace(/&(?:#0*38|amp);/gi, "&");
}

/**
 * An http(s) URL the WHATWG parser would give back unchanged: a lower-case host whose last label
 * starts with a letter (no IPv4 rewriting; no `xn--` label, which the parser checks), a path of
 * unreserved characters without `.` or `..` segments, an optional query of the same and `=&`; no
 * port, user, fragment or escape. The URL parser cost 0.2 s of CPU time in a cold export of 10k
 * articles, most of it on URLs like these.
 */
const NORMAL_HTTP_URL =
  /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*(?:\/[A-Za-z0-9._~-]*)+(?:\?[A-Za-z0-9._~=&-]*)?$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/;

/** The WHATWG serialisation of an absolute http(s) URL with a host, or undefined. */
export function parseHttpUrl(value: string): string | undefined {
  const trimmed = value.trim();
  if (NORMAL_HTTP_URL.test(trimmed) && !DOT_SEGMENT.test(trimmed) && !trimmed.includes("xn--"))
    return trimmed;
  let url: URL;
  try {
    url = new URL(decodeUrlAmpersands(trimmed));
  } catch {
    return undefined;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "")
    return undefined;
  return url.href;
}

/** A site-relative path such as `/assets/x.jpg`, normalised, or undefined. */
function parseSitePath(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith("/") || trimmed.startsWith("//")) return undefined;
  // Already normal (the usual /assets/images/... case): skip the URL parser, which dominates load time.
  if (/^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/.test(trimmed) && !DOT_SEGMENT.test(trimmed))
    return trimmed;
  const url = new URL(decodeUrlAmpersands(trimmed), "https://site.invalid");
  return url.pathname + url.search;
}

const text = (max: number) =>
  v.pipe(
    v.string("must be text"),
    v.transform(cleanText),
    v.trim(),
    v.nonEmpty("must not be empty"),
    v.maxLength(
      max,
      (issue) =>
        `is ${issue.received.replace(/^\D+/, "")} characters long; at most ${max} are allowed`,
    ),
  );

export const HttpUrl = v.pipe(
  v.string("must be a URL in quotes"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const href = parseHttpUrl(dataset.value);
    if (href === undefined) {
      addIssue({
        message: `must be an absolute http(s) URL, got ${JSON.stringify(dataset.value.slice(0, 80))}`,
      });
      return NEVER;
    }
    return href;
  }),
);

const LogoUrl = v.pipe(
  v.string("must be a URL in quotes"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    // The path first: a logo is most often one (`/assets/…`), and the URL parser throws on it, which is slow.
    const url = parseSitePath(dataset.value) ?? parseHttpUrl(dataset.value);
    if (url === undefined) {
      addIssue({
        message: `must be an absolute http(s) URL or a path starting with /, got ${JSON.stringify(dataset.value.slice(0, 80))}`,
      });
      return NEVER;
    }
    return url;
  }),
);

/** Always text: the YAML engine (parse.ts) has no timestamp type, which would roll 2021-13-45 over to 2022. */
const DateTime = v.pipe(
  v.string("must be a date and time such as 2022-06-30T23:48:00Z"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const iso = normaliseDateTime(dataset.value);
    if (iso === undefined) {
      addIssue({
        message: `must be a date and time such as 2022-06-30T23:48:00Z, got ${JSON.stringify(String(dataset.value).slice(0, 40))}`,
      });
      return NEVER;
    }
    return iso;
  }),
);

const Dimension = v.optional(
  v.pipe(
    v.number("must be a number"),
    v.integer("must be a whole number"),
    v.minValue(1, "must be at least 1"),
  ),
);

export const ImageSchema = v.object(
  { url: HttpUrl, width: Dimension, height: Dimension },
  "must be an image with a url",
);
export const LogoSchema = v.object(
  { url: LogoUrl, width: Dimension, height: Dimension },
  "must be an image with a url",
);

export const RelatedSchema = v.object(
  {
    title: text(TITLE_MAX),
    webUrl: HttpUrl,
    provider: v.optional(
      v.object({ name: v.optional(v.pipe(v.string(), v.transform(cleanText), v.trim())) }),
    ),
  },
  "must be an article with a title and webUrl",
);

export const TopicSchema = v.pipe(text(NAME_MAX));

/** A host name: letters, digits, dots and hyphens, at least one dot. */
const Domain = v.pipe(
  v.string("must be a domain such as zdnet.com"),
  v.trim(),
  v.toLowerCase(),
  v.regex(
    /^(?=.{1,253}$)[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$/u,
    "must be a domain such as zdnet.com",
  ),
);

export const FrontMatterSchema = v.object(
  {
    title: text(TITLE_MAX),
    excerpt: v.optional(v.pipe(v.string("must be text"), v.transform(cleanText), v.trim()), ""),
    publishedDateTime: DateTime,
    webUrl: v.optional(v.unknown()),
    originalUrl: v.optional(v.unknown()),
    published: v.optional(v.boolean("must be true or false"), true),
    provider: v.object(
      {
        name: text(NAME_MAX),
        domain: Domain,
        images: v.optional(v.array(v.unknown(), "must be a list of images"), []),
      },
      "must have a name and a domain",
    ),
    topics: v.optional(v.array(v.unknown(), "must be a list of topic names"), []),
    images: v.optional(v.array(v.unknown(), "must be a list of images"), []),
    related: v.optional(v.array(v.unknown(), "must be a list of articles"), []),
  },
  "must be a front-matter block of fields",
);

/** "related[2].webUrl" from a valibot issue path. */
export function fieldOf(issue: v.BaseIssue<unknown>, prefix = ""): string {
  const parts = (issue.path ?? []).map((item) =>
    typeof item.key === "number" ? `[${item.key}]` : `.${String(item.key)}`,
  );
  return `${prefix}${parts.join("")}`.replace(/^\./, "") || prefix || "front matter";
}

/** A missing required key is reported as "is missing" rather than the schema's type message. */
export function reasonOf(issue: v.BaseIssue<unknown>): string {
  return issue.input === undefined && issue.path?.length ? "is missing" : issue.message;
}
