import { v5 as uuidv5 } from "uuid";

/**
 * URL keys of topics and providers. These are part of the public URL scheme
 * (`/topics/{key}/…`, `/providers/{key}/…`), so they must never change shape.
 */

/** "AI Hardware" -> "ai-hardware"; keeps letters of every script ("아크로팬" stays). */
export function topicKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
}

/** The provider's domain, lowercased: "ZDNet.com" -> "zdnet.com". */
export function providerKey(domain: string): string {
  return domain.trim().toLowerCase();
}

/** RFC 4122 namespace for URLs. */
const URL_NAMESPACE = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/** `urn:uuid:` name-based (v5) UUID of a URL: the same URL always gives the same id, on any host. */
export function urlUrn(url: string): string {
  return `urn:uuid:${uuidv5(url, URL_NAMESPACE)}`;
}
