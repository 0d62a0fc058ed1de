/**
 * Other servers' actors and keys, fetched with a signed GET (servers in
 * secure mode answer only those) and kept for an hour. A key is trusted for
 * the actor that owns it: the key's `owner` must be the document it was found
 * in, or an actor that lists it.
 */
import { ACTIVITY_JSON, type Json } from "./vocabulary.js";
import { type SigningKey, importPublicKey, signRequest } from "./signatures.js";

const CACHE_MS = 3600_000;
const MAX_CACHED = 10_000;
/** An actor document is a few kB; this is generous. */
const DOCUMENT_LIMIT_BYTES = 512 * 1024;
const FETCH_TIMEOUT_MS = 10_000;
const ACCEPT = `${ACTIVITY_JSON}, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`;

/** The remote server says the document is gone for good (a deleted actor). */
/** How federation reaches other servers: Node's public-only fetch (node-fetch.ts), or a platform's own. */
export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export class TooLargeError extends Error {
  override name = "TooLargeError";
}

export class GoneError extends Error {
  override name = "GoneError";
}

export interface RemoteActor {
  id: string;
  inbox: string;
  sharedInbox?: string;
}

export interface RemoteKey {
  key: CryptoKey;
  owner: string;
}

export class RemoteDocuments {
  private readonly cache = new Map<string, { at: number; value: Promise<Json> }>();

  constructor(
    private readonly fetcher: Fetcher,
    private readonly signer: () => Promise<SigningKey>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The document at `url` (fragment dropped), from the cache unless `refresh`. */
  document(url: string, refresh = false): Promise<Json> {
    const address = url.split("#")[0];
    const cached = this.cache.get(address);
    if (cached && !refresh && this.now() - cached.at < CACHE_MS) return cached.value;
    const value = this.fetchDocument(address);
    this.cache.delete(address);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(address, { at: this.now(), value });
    value.catch(() => this.cache.delete(address));
    return value;
  }

  async actor(id: string, refresh = false): Promise<RemoteActor> {
    const document = await this.document(id, refresh);
    const inbox = document.inbox;
    if (document.id !== id || typeof inbox !== "string")
      throw new Error(`${id} is not an actor with an inbox`);
    const shared = (document.endpoints as Json | undefined)?.sharedInbox;
    return { id, inbox, ...(typeof shared === "string" ? { sharedInbox: shared } : {}) };
  }

  /** The key `keyId` names, with its owner checked. */
  async key(keyId: string, refresh = false): Promise<RemoteKey> {
    const document = await this.document(keyId, refresh);
    const listed = [document.publicKey ?? []].flat() as Json[];
    const found =
      listed.find((key) => key.id === keyId) ?? (document.id === keyId ? document : undefined);
    if (!found || typeof found.publicKeyPem !== "string")
      throw new Error(`${keyId} names no public key`);
    const owner = String(found.owner ?? document.id);
    if (owner !== document.id) {
      const ownerDocument = await this.document(owner, refresh);
      const keys = [ownerDocument.publicKey ?? []].flat() as (Json | string)[];
      if (!keys.some((key) => key === keyId || (typeof key === "object" && key.id === keyId)))
        throw new Error(`${owner} does not list the key ${keyId}`);
    }
    return { key: await importPublicKey(found.publicKeyPem), owner };
  }

  private async fetchDocument(url: string): Promise<Json> {
    const headers = await signRequest(
      { method: "GET", url, headers: { accept: ACCEPT } },
      await this.signer(),
      this.now(),
    );
    const response = await this.fetcher(url, {
      headers,
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (response.status === 410) throw new GoneError(`${url} is gone`);
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`${url} answered ${response.status}`);
    }
    const document = JSON.parse(
      new TextDecoder().decode(await readLimited(response, DOCUMENT_LIMIT_BYTES)),
    );
    if (typeof document !== "object" || document === null)
      throw new Error(`${url} is not a JSON object`);
    return document as Json;
  }
}

/** The body, refused past `limit` bytes as it streams in (a remote server can send anything). */
export async function readLimited(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > limit) {
    await response.body?.cancel();
    throw new TooLargeError(`the answer is ${declared} bytes, more than ${limit}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
    size += read.value.length;
    if (size > limit) {
      await reader!.cancel();
      throw new TooLargeError(`the answer is more than ${limit} bytes`);
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks);
}
