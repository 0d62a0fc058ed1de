/**
 * The one step every successful route goes through: validators, conditional
 * GET (RFC 9110 §13.2.2 precedence), negotiation of compressed variants, and
 * caching headers. Headers and bytes are prepared once per rendered body and
 * variant and reused, because a cached feed is served thousands of times a second.
 *
 * A variant is compressed the first time a client asks for it, and only that
 * one: compressing every body in every encoding up front (gzip 9 and brotli 9,
 * 52 ms for a 200-item feed) made each render-cache miss block the server.
 */
import type { Context } from "hono";
import { withStandardHeaders } from "./headers.js";
import type { Compressor, ContentEncoding, Rendered } from "./render-cache.js";

type Variant = ContentEncoding | "identity";

interface Payload {
  bytes: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

interface VariantEntry {
  /** The 304's headers, made the first time one is sent: most bodies (every one an export renders) never send one. */
  notModified?: Record<string, string>;
  payload?: Payload;
  pending?: Promise<Payload>;
}

const variantMemo = new WeakMap<Rendered, Map<Variant, VariantEntry>>();

function variantEntry(rendered: Rendered, variant: Variant): VariantEntry {
  let variants = variantMemo.get(rendered);
  if (!variants) variantMemo.set(rendered, (variants = new Map()));
  let entry = variants.get(variant);
  if (!entry) variants.set(variant, (entry = {}));
  return entry;
}

function validatorHeaders(
  rendered: Rendered,
  variant: Variant,
  maxAge: number,
): Record<string, string> {
  return {
    ETag: variant === "identity" ? rendered.etag : `${rendered.etag.slice(0, -1)}-${variant}"`,
    "Last-Modified": rendered.lastModified,
    "Cache-Control": `public, max-age=${maxAge}, stale-while-revalidate=${maxAge}, stale-if-error=86400`,
    Vary: "Accept-Encoding",
    ...rendered.headers,
  };
}

async function preparePayload(
  rendered: Rendered,
  variant: Variant,
  maxAge: number,
  compressor: Compressor | undefined,
): Promise<Payload> {
  const identity = rendered.body;
  const bytes =
    variant === "identity" || !compressor
      ? identity
      : ((await compressor.compress(identity, variant)) as Uint8Array<ArrayBuffer>);
  const headers = withStandardHeaders({
    "Content-Type": rendered.contentType,
    ...(variant === "identity" ? {} : { "Content-Encoding": variant }),
    // Explicit, so that HEAD (answered without a body) says how long the GET body is.
    "Content-Length": String(bytes.byteLength),
    ...validatorHeaders(rendered, variant, maxAge),
  });
  return { bytes, headers };
}

export async function sendRendered(
  c: Context,
  rendered: Rendered,
  maxAge: number,
  compressor?: Compressor,
): Promise<Response> {
  const variant = pickEncoding(c.req.header("accept-encoding"), compressor);
  const entry = variantEntry(rendered, variant);
  if (isNotModified(c.req.raw.headers, rendered.etag, rendered.lastModified))
    return new Response(null, {
      status: 304,
      headers: (entry.notModified ??= withStandardHeaders(
        validatorHeaders(rendered, variant, maxAge),
      )),
    });
  let payload = entry.payload;
  if (!payload) {
    entry.pending ??= preparePayload(rendered, variant, maxAge, compressor).then(
      (prepared) => (entry.payload = prepared),
      (error: unknown) => {
        entry.pending = undefined; // the next request tries again
        throw error;
      },
    );
    payload = await entry.pending;
  }
  return new Response(payload.bytes, { status: 200, headers: payload.headers });
}

/**
 * RFC 9110 §13.2.2: If-None-Match wins when present; If-Modified-Since is
 * consulted only without it, and only when it is a valid HTTP-date.
 */
export function isNotModified(
  request: Headers,
  etag: string | null,
  lastModified: string | null,
): boolean {
  const ifNoneMatch = request.get("if-none-match");
  if (ifNoneMatch !== null) return etag !== null && etagListMatches(ifNoneMatch, etag);
  const ifModifiedSince = request.get("if-modified-since");
  if (ifModifiedSince === null || lastModified === null) return false;
  const since = parseHttpDate(ifModifiedSince);
  return since !== undefined && Date.parse(lastModified) <= since;
}

/** Weak comparison, as If-None-Match requires; an encoded variant's tag matches its identity tag. */
function etagListMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  const opaque = etag.slice(1, -1).replace(/-(?:br|gzip)$/, "");
  for (const match of header.matchAll(/(?:W\/)?"([^"]*)"/g)) {
    if (match[1].replace(/-(?:br|gzip)$/, "") === opaque) return true;
  }
  return false;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAY = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d\\d):(\\d\\d):(\\d\\d)";
/** The three forms RFC 9110 §5.6.7 makes a recipient accept: IMF-fixdate, RFC 850 and asctime. */
const HTTP_DATE_FORMS: [
  RegExp,
  (
    match: RegExpExecArray,
  ) => [year: number, month: string, day: number, h: number, m: number, s: number],
][] = [
  [
    new RegExp(`^${DAY}, (\\d\\d) ${MONTH} (\\d{4}) ${TIME} GMT$`),
    (m) => [+m[3], m[2], +m[1], +m[4], +m[5], +m[6]],
  ],
  // Two-digit years as 1970 to 2069: RFC 9110's 50-years-ahead rule would need the clock.
  [
    new RegExp(`^${LONG_DAY}, (\\d\\d)-${MONTH}-(\\d\\d) ${TIME} GMT$`),
    (m) => [+m[3] + (+m[3] < 70 ? 2000 : 1900), m[2], +m[1], +m[4], +m[5], +m[6]],
  ],
  [
    new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`),
    (m) => [+m[6], m[1], +m[2].trim(), +m[3], +m[4], +m[5]],
  ],
];

/** Milliseconds since the epoch of a valid HTTP-date, else undefined (RFC 9110 says to ignore the header then). */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  for (const [pattern, fields] of HTTP_DATE_FORMS) {
    const match = pattern.exec(text);
    if (!match) continue;
    const [year, monthName, day, hours, minutes, seconds] = fields(match);
    const month = MONTHS.indexOf(monthName);
    const time = Date.UTC(year, month, day, hours, minutes, seconds);
    const date = new Date(time);
    // Date.UTC rolls 31 Feb over to March, and 25:00 to the next day: refuse instead.
    if (
      date.getUTCMonth() !== month ||
      date.getUTCDate() !== day ||
      hours > 23 ||
      minutes > 59 ||
      seconds > 60
    )
      return undefined;
    return time;
  }
  return undefined;
}

/** Accept-Encoding values repeat from client to client: their parsed preference is remembered (bounded). */
const preferenceMemo = new Map<string, ContentEncoding[]>();
const PREFERENCE_MEMO_SIZE = 256;

function pickEncoding(
  acceptEncoding: string | undefined,
  compressor: Compressor | undefined,
): Variant {
  if (!acceptEncoding || !compressor) return "identity";
  let preference = preferenceMemo.get(acceptEncoding);
  if (!preference) {
    preference = preferredEncodings(acceptEncoding);
    if (preferenceMemo.size >= PREFERENCE_MEMO_SIZE) preferenceMemo.clear();
    preferenceMemo.set(acceptEncoding, preference);
  }
  return preference.find((name) => compressor.encodings.includes(name)) ?? "identity";
}

/** The encodings we know that the client accepts (q=0 refuses), best first; br before gzip on a tie. */
function preferredEncodings(acceptEncoding: string): ContentEncoding[] {
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params
      .map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1])
      .find((value) => value !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const quality = (name: ContentEncoding) => accepted.get(name) ?? accepted.get("*") ?? 0;
  return (["br", "gzip"] as const)
    .filter((name) => quality(name) > 0)
    .sort((a, b) => quality(b) - quality(a));
}
