/**
 * The one step every successful route goes through: validators, conditional
 * GET (RFC 9110 §13.2.2 precedence), negotiation of the precompressed
 * variants, and caching headers. Header objects are built once per rendered
 * body and reused, because a cached feed is served thousands of times a second.
 */
import type { Context } from "hono";
import { withStandardHeaders } from "./headers.js";
import type { ContentEncoding, Rendered } from "./render-cache.js";

type Variant = ContentEncoding | "identity";

const headerMemo = new WeakMap<Rendered, Map<Variant, { ok: Record<string, string>; notModified: Record<string, string> }>>();

function headersFor(rendered: Rendered, variant: Variant, maxAge: number) {
  let variants = headerMemo.get(rendered);
  if (!variants) headerMemo.set(rendered, (variants = new Map()));
  let headers = variants.get(variant);
  if (!headers) {
    const common = {
      ETag: variant === "identity" ? rendered.etag : `${rendered.etag.slice(0, -1)}-${variant}"`,
      "Last-Modified": rendered.lastModified,
      "Cache-Control": `public, max-age=${maxAge}, stale-while-revalidate=${maxAge}, stale-if-error=86400`,
      Vary: "Accept-Encoding",
    };
    headers = {
      ok: withStandardHeaders({ "Content-Type": rendered.contentType, ...(variant === "identity" ? {} : { "Content-Encoding": variant }), ...common }),
      notModified: withStandardHeaders(common),
    };
    variants.set(variant, headers);
  }
  return headers;
}

export function sendRendered(c: Context, rendered: Rendered, maxAge: number): Response {
  const variant = pickEncoding(c.req.header("accept-encoding"), rendered);
  const headers = headersFor(rendered, variant, maxAge);
  if (notModified(c.req.raw.headers, rendered)) return new Response(null, { status: 304, headers: headers.notModified });
  const body = variant === "identity" ? rendered.body : (rendered.encodings![variant] as Uint8Array<ArrayBuffer>);
  return new Response(body, { status: 200, headers: headers.ok });
}

/** If-None-Match wins when present; If-Modified-Since is consulted only without it. */
function notModified(request: Headers, rendered: Rendered): boolean {
  const ifNoneMatch = request.get("if-none-match");
  if (ifNoneMatch !== null) return etagListMatches(ifNoneMatch, rendered.etag);
  const ifModifiedSince = request.get("if-modified-since");
  if (ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Date.parse(rendered.lastModified) <= since;
}

/** Weak comparison, as If-None-Match requires; an encoded variant's tag matches its identity tag. */
function etagListMatches(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  const opaque = etag.slice(1, -1);
  for (const match of header.matchAll(/(?:W\/)?"([^"]*)"/g)) {
    if (match[1].replace(/-(?:br|gzip)$/, "") === opaque) return true;
  }
  return false;
}

/** Accept-Encoding values repeat from client to client: their parsed preference is remembered (bounded). */
const preferenceMemo = new Map<string, ContentEncoding[]>();
const PREFERENCE_MEMO_SIZE = 256;

function pickEncoding(acceptEncoding: string | undefined, rendered: Rendered): Variant {
  if (!acceptEncoding || !rendered.encodings) return "identity";
  let preference = preferenceMemo.get(acceptEncoding);
  if (!preference) {
    preference = preferredEncodings(acceptEncoding);
    if (preferenceMemo.size >= PREFERENCE_MEMO_SIZE) preferenceMemo.clear();
    preferenceMemo.set(acceptEncoding, preference);
  }
  return preference.find((name) => rendered.encodings![name]) ?? "identity";
}

/** The encodings we have that the client accepts (q=0 refuses), best first; br before gzip on a tie. */
function preferredEncodings(acceptEncoding: string): ContentEncoding[] {
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const quality = (name: ContentEncoding) => accepted.get(name) ?? accepted.get("*") ?? 0;
  return (["br", "gzip"] as const).filter((name) => quality(name) > 0).sort((a, b) => quality(b) - quality(a));
}
