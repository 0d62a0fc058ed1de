/**
 * HTTP Signatures as the fediverse speaks them: draft-cavage-http-signatures-12
 * with `Digest` (Mastodon and most servers), and RFC 9421 with
 * `Content-Digest` (the newer ones). The signature bases are built by
 * http-message-signatures; keys, signing, verifying and digests are Web
 * Crypto's, so Node 20 and workerd run the same code. (Fedify does all this,
 * but its releases that run on Workers need Node 22, and 1.5 does not run on
 * Workers.) What we check ourselves, because the library leaves it to the
 * caller: which parts must be signed, the digest against the body, and how
 * old the signature may be, against a clock we are given.
 */
import { cavage, httpbis } from "http-message-signatures";
import { type Item, type InnerList, parseDictionary } from "structured-headers";

/** A signature dated further than this from our clock (either way) is refused: retries re-sign. */
export const SIGNATURE_WINDOW_SECONDS = 300;

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

export class SignatureError extends Error {
  override name = "SignatureError";
}

/** A request as it is signed or verified: its headers by lowercase name. */
export interface SignedMessage {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface SigningKey {
  /** The key's id: `{actor}#main-key`. */
  id: string;
  privateKey: CryptoKey;
}

/** A public key by its id, or undefined when it cannot be had. `refresh` asks past any cache (a rotated key). */
export type KeyFinder = (keyId: string, refresh: boolean) => Promise<CryptoKey | undefined>;

const base64 = (bytes: ArrayBuffer | Uint8Array) =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("base64");

/** Web Crypto's types want an ArrayBuffer-backed view; Buffers and bodies here always are. */
const view = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

async function sha(name: "SHA-256" | "SHA-512", body: Uint8Array): Promise<string> {
  return base64(await crypto.subtle.digest(name, view(body)));
}

/** A SubjectPublicKeyInfo PEM as a verifying key: RSA (what actors publish) or Ed25519. */
export async function importPublicKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ""), "base64");
  try {
    return await crypto.subtle.importKey("spki", der, RSA, true, ["verify"]);
  } catch {
    return await crypto.subtle.importKey("spki", der, { name: "Ed25519" }, true, ["verify"]);
  }
}

/** A key's SubjectPublicKeyInfo as PEM: what an actor document publishes. */
export async function publicKeyPem(key: CryptoKey): Promise<string> {
  const lines = base64(await crypto.subtle.exportKey("spki", key)).match(/.{1,64}/g)!;
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

const algorithmOf = (key: CryptoKey) => (key.algorithm.name === "Ed25519" ? "Ed25519" : RSA);

async function signBytes(key: CryptoKey, data: Buffer): Promise<Buffer> {
  return Buffer.from(await crypto.subtle.sign(algorithmOf(key), key, view(data)));
}

/**
 * Signs a request the way Mastodon verifies it (draft-cavage, rsa-sha256, over
 * the request target, host, date and, with a body, its digest), dated `now`.
 */
export async function signRequest(
  message: SignedMessage,
  key: SigningKey,
  now: number,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    ...message.headers,
    host: new URL(message.url).host,
    date: new Date(now).toUTCString(),
  };
  if (message.body) headers.digest = `SHA-256=${await sha("SHA-256", message.body)}`;
  const signed = await cavage.signMessage(
    {
      key: { id: key.id, alg: "rsa-v1_5-sha256", sign: (data) => signBytes(key.privateKey, data) },
      params: ["keyid", "alg"],
      fields: ["@request-target", "host", "date", ...(message.body ? ["digest"] : [])],
    },
    { method: message.method, url: message.url, headers },
  );
  return { ...headers, signature: signed.headers.Signature as string };
}

/** RFC 9421 signing, for what verifies our side of the RFC's own examples (and servers that ask for it). */
export async function signRequestRfc9421(
  message: SignedMessage,
  key: SigningKey & { alg: string },
  fields: string[],
  created: number,
): Promise<Record<string, string>> {
  const signed = await httpbis.signMessage(
    {
      key: { id: key.id, alg: key.alg, sign: (data) => signBytes(key.privateKey, data) },
      fields,
      params: ["created", "keyid"],
      paramValues: { created: new Date(created * 1000) },
    },
    { method: message.method, url: message.url, headers: message.headers },
  );
  return signed.headers as Record<string, string>;
}

/**
 * Verifies a signed request, by whichever scheme it is signed with, at `now`,
 * and returns the id of the key that signed it. Refused (SignatureError, with
 * the reason): no signature, a part that must be signed and is not, a digest
 * that does not match the body, a date outside the window, an unknown key, or
 * a signature that does not verify with the key (asked again past the cache
 * once, in case the sender rotated it).
 */
export async function verifyRequest(
  message: SignedMessage,
  findKey: KeyFinder,
  now: number,
): Promise<string> {
  const { headers } = message;
  const rfc9421 = headers["signature-input"] !== undefined;
  if (!rfc9421 && headers.signature === undefined)
    throw new SignatureError("the request is not signed (no Signature header)");
  const checked = rfc9421 ? checkRfc9421(message, now) : checkCavage(message, now);
  const keyId = await checked;
  for (const refresh of [false, true]) {
    const key = await findKey(keyId, refresh);
    if (!key) throw new SignatureError(`the key ${keyId} cannot be fetched`);
    if (await verifiesWith(message, key, rfc9421)) return keyId;
  }
  throw new SignatureError(`the signature does not verify with the key ${keyId}`);
}

async function verifiesWith(
  message: SignedMessage,
  key: CryptoKey,
  rfc9421: boolean,
): Promise<boolean> {
  const verifier = {
    keyLookup: async () => ({
      verify: async (data: Buffer, signature: Buffer) =>
        crypto.subtle.verify(algorithmOf(key), key, view(signature), view(data)),
    }),
  };
  const request = { method: message.method, url: message.url, headers: message.headers };
  try {
    const result = rfc9421
      ? await httpbis.verifyMessage(verifier, request)
      : await cavage.verifyMessage(verifier, request);
    return result === true;
  } catch {
    return false;
  }
}

/** draft-cavage: the parts Mastodon insists on are signed, the date is fresh, the digest is the body's. */
async function checkCavage(message: SignedMessage, now: number): Promise<string> {
  const parameters = new Map(
    [...message.headers.signature.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );
  const keyId = parameters.get("keyid");
  if (!keyId) throw new SignatureError("the Signature header names no keyId");
  const signed = (parameters.get("headers") ?? "date").toLowerCase().split(/\s+/);
  const needed = ["(request-target)", "host", "date", ...(message.body?.length ? ["digest"] : [])];
  const missing = needed.filter((part) => !signed.includes(part));
  if (missing.length > 0)
    throw new SignatureError(`the signature must cover ${missing.join(", ")}`);
  checkFresh(Date.parse(message.headers.date ?? "") / 1000, now, "the Date header");
  if (message.body?.length) await checkDigest(message, "digest");
  return keyId;
}

/** RFC 9421: the first signature's covered components, its `created`, and the body's Content-Digest. */
async function checkRfc9421(message: SignedMessage, now: number): Promise<string> {
  let inputs: Map<string, Item | InnerList>;
  try {
    inputs = parseDictionary(message.headers["signature-input"]);
  } catch {
    throw new SignatureError("the Signature-Input header is not a structured dictionary");
  }
  const [input] = inputs.values();
  if (!input || !Array.isArray(input[0]))
    throw new SignatureError("the Signature-Input header holds no signature");
  const [components, parameters] = input as InnerList;
  const keyId = parameters.get("keyid");
  if (typeof keyId !== "string") throw new SignatureError("the signature names no keyid");
  const covered = components.map(([name]) => String(name));
  const target = covered.includes("@target-uri") || covered.includes("@path");
  const authority = covered.includes("@target-uri") || covered.includes("@authority");
  const missing = [
    ...(covered.includes("@method") ? [] : ["@method"]),
    ...(target ? [] : ["@target-uri or @path"]),
    ...(authority ? [] : ["@authority"]),
    ...(message.body?.length && !covered.includes("content-digest") ? ["content-digest"] : []),
  ];
  if (missing.length > 0)
    throw new SignatureError(`the signature must cover ${missing.join(", ")}`);
  checkFresh(Number(parameters.get("created")), now, "the signature's created");
  if (message.body?.length) await checkDigest(message, "content-digest");
  return keyId;
}

function checkFresh(seconds: number, now: number, what: string): void {
  if (!Number.isFinite(seconds)) throw new SignatureError(`${what} is missing or not a date`);
  if (Math.abs(seconds - now / 1000) > SIGNATURE_WINDOW_SECONDS)
    throw new SignatureError(
      `${what} is more than ${SIGNATURE_WINDOW_SECONDS / 60} minutes from this server's clock`,
    );
}

/** `Digest: SHA-256=…` or `Content-Digest: sha-256=:…:` (or sha-512) must be the body's. */
async function checkDigest(message: SignedMessage, header: "digest" | "content-digest") {
  const value = message.headers[header];
  if (!value) throw new SignatureError(`a request with a body must send ${header}`);
  const body = message.body!;
  const claims =
    header === "digest"
      ? value.split(",").map((part) => {
          const at = part.indexOf("=");
          return [part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim()] as const;
        })
      : [...parseDictionary(value)].map(
          ([name, [bytes]]) =>
            [name, bytes instanceof ArrayBuffer ? base64(bytes) : String(bytes)] as const,
        );
  for (const [algorithm, claimed] of claims) {
    const name = algorithm === "sha-256" ? "SHA-256" : algorithm === "sha-512" ? "SHA-512" : "";
    if (name && claimed === (await sha(name, body))) return;
  }
  throw new SignatureError(`${header} does not match the body (or names no SHA-256 or SHA-512)`);
}

/** `Content-Digest` of a body (RFC 9530), for RFC 9421 requests. */
export async function contentDigest(body: Uint8Array): Promise<string> {
  return `sha-256=:${await sha("SHA-256", body)}:`;
}
