/** A rendered response body with its validators, ready to send or to answer 304 from. */
export interface Rendered {
  /** The body as UTF-8, encoded once: hashed for the ETag, sent as is or compressed. */
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Strong ETag (quoted) from a hash of the body: same bytes, same tag, on every runtime. */
  etag: string;
  /** HTTP date of the newest article in the response. */
  lastModified: string;
  /** Headers of this body's own: a feed's Link (WebSub), a page's Content-Security-Policy and Vary. */
  headers?: Record<string, string>;
}

export type ContentEncoding = "br" | "gzip";

/**
 * Compression the runtime offers (Node's zlib, off the event loop); none on
 * Workers, where Cloudflare compresses at the edge. Output must be the same
 * bytes for the same input, so that a variant's ETag stays true.
 */
export interface Compressor {
  readonly encodings: readonly ContentEncoding[];
  compress(body: Uint8Array, encoding: ContentEncoding): Promise<Uint8Array>;
}

/**
 * Where rendered bodies are kept between requests. The key already holds
 * everything the body depends on (origin, path, canonical query).
 */
export interface RenderCache {
  get(key: string, render: () => Promise<Rendered>): Promise<Rendered>;
}

export const noRenderCache: RenderCache = { get: (_key, render) => render() };

/**
 * Whether a render (a cache miss) may run now: a server that renders more than
 * its share of the time answers the rest with 503 and Retry-After, so that a
 * flood of distinct uncached URLs cannot make every cached feed wait behind it.
 * Node's (runtime/render-admission.ts); Workers scale out instead.
 */
export interface RenderAdmission {
  /** Runs `render`, or throws a 503 HttpError without running it. */
  run<T>(render: () => Promise<T>): Promise<T>;
}

export const admitEveryRender: RenderAdmission = { run: (render) => render() };

/** A body's strong ETag, quoted: the same body must give the same tag on every runtime. */
export type BodyTagger = (body: Uint8Array<ArrayBuffer>) => string | Promise<string>;

/** SHA-1 of the body, base64url: enough to tell bodies apart, and available in Node and workerd alike. */
export async function bodyEtag(body: Uint8Array<ArrayBuffer>): Promise<string> {
  return `"${base64url(new Uint8Array(await crypto.subtle.digest("SHA-1", body)))}"`;
}

/** Bytes as URL-safe base64 without padding (RFC 4648 §5), with what both runtimes have. */
export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
