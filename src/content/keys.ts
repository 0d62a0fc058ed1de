import { parse as uuidBytes, v5 as uuidv5 } from "uuid";

/**
 * URL keys of topics and providers. These are part of the public URL scheme
 * (`/topics/{key}/…`, `/providers/{key}/…`), so they must never change shape.
 */

/**
 * "AI Hardware" -> "ai-hardware". Letters of every script are kept with their
 * combining marks ("हिन्दी" stays whole), in NFC, so that one name typed as
 * precomposed or decomposed characters is one topic.
 */
export function topicKey(name: string): string {
  let key = topicKeys.get(name);
  if (key === undefined) {
    key = name
      .normalize("NFC")
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "");
    // Renders ask for the same few hundred names over and over; a flood of new ones cannot grow it.
    if (topicKeys.size >= MAX_REMEMBERED_KEYS) topicKeys.clear();
    topicKeys.set(name, key);
  }
  return key;
}

const topicKeys = new Map<string, string>();
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * What is left of a topic name once case, spaces and separators are ignored:
 * names that key alike and fold alike ("AI Hardware", "ai-hardware") are one
 * topic; names that key alike but fold differently ("C++", "C#") are merged
 * only with a report.
 */
export function topicFold(name: string): string {
  return name
    .normalize("NFC")
    .toLowerCase()
    .replace(/[\s\-_.,:;/]+/gu, "");
}

/** The provider's domain, lowercased: "ZDNet.com" -> "zdnet.com". */
export function providerKey(domain: string): string {
  return domain.trim().toLowerCase();
}

/** RFC 4122 namespace for URLs. */
const URL_NAMESPACE = uuidBytes("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

/**
 * Names and namespaces go to uuid as bytes: given text, it encodes a name character by character
 * and parses a namespace twice, which cost ~0.1 s of CPU time in a cold export of 10k articles.
 * Names are well-formed text (URLs, feed paths), whose UTF-8 is the same either way.
 */
const utf8 = new TextEncoder();

/** `urn:uuid:` name-based (v5) UUID of a URL: the same URL always gives the same id, on any host. */
export function urlUrn(url: string): string {
  return `urn:uuid:${uuidv5(utf8.encode(url), URL_NAMESPACE)}`;
}

/** `urn:uuid:` v5 UUID of a name within another `urn:uuid:` (RFC 4122's way to name a thing inside a thing). */
export function urnInNamespace(name: string, namespaceUrn: string): string {
  const namespace = uuidBytes(namespaceUrn.slice("urn:uuid:".length));
  return `urn:uuid:${uuidv5(utf8.encode(name), namespace)}`;
}

/**
 * A title as the slug of a file name (`2026-11-30-a-new-model.md`): lowercase ASCII letters and digits
 * joined by hyphens, accents dropped, at most 80 characters; `fallback` when nothing is left.
 */
export function slugOf(title: string, fallback: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return slug || fallback;
}
