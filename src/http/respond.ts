/**
 * The one step every successful route goes through: cached render, validators,
 * conditional GET (RFC 9110 §13.2.2 precedence), content negotiation of the
 * precompressed variants, and caching headers.
 */
import type { Context } from "hono";
import type { ContentEncoding, Rendered } from "./render-cache.js";

export function sendRendered(c: Context, rendered: Rendered, maxAge: number): Response {
  const encoding = pickEncoding(c.req.header("accept-encoding"), rendered);
  const etag = encoding ? `${rendered.etag.slice(0, -1)}-${encoding}"` : rendered.etag;
  const headers: Record<string, string> = {
    "Content-Type": rendered.contentType,
    ETag: etag,
    "Last-Modified": rendered.lastModified,
    "Cache-Control": `public, max-age=${maxAge}, stale-while-revalidate=${maxAge}, stale-if-error=86400`,
    Vary: "Accept-Encoding",
  };
  if (notModified(c.req.raw.headers, rendered)) return c.body(null, 304, withoutContentType(headers));
  if (encoding) {
    headers["Content-Encoding"] = encoding;
    return c.body(rendered.encodings![encoding]! as Uint8Array<ArrayBuffer>, 200, headers);
  }
  return c.body(rendered.body, 200, headers);
}

function withoutContentType(headers: Record<string, string>): Record<string, string> {
  const { "Content-Type": _dropped, ...rest } = headers;
  return rest;
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

/** The best precompressed variant the client accepts (q=0 refuses), else identity. */
function pickEncoding(acceptEncoding: string | undefined, rendered: Rendered): ContentEncoding | undefined {
  if (!acceptEncoding || !rendered.encodings) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const quality = (name: ContentEncoding) => accepted.get(name) ?? (accepted.has("*") ? accepted.get("*")! : 0);
  const candidates = (["br", "gzip"] as const).filter((name) => rendered.encodings![name] && quality(name) > 0);
  return candidates.sort((a, b) => quality(b) - quality(a))[0];
}
