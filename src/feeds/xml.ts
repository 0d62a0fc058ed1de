/**
 * Escaping for the hand-written renderers. feedloom renders RSS, Atom and JSON
 * itself rather than through the `feed` package, because feed 6.0.0 (tried
 * here) passes control characters raw into XML, leaves attribute values
 * (category term/label) unescaped, breaks its CDATA on a second `]]>`, decodes
 * a literal `&amp;` in text, points Atom's self link at the RSS URL, drops
 * Atom enclosure types, throws mid-render on a relative URL or missing date,
 * has no Media RSS, RFC 5005 paging links or RSS ttl, and writes JSON Feed 1.0.
 * Escaping every value here, in one place, closes all of those at once.
 */

/**
 * Characters a feed never carries: those XML 1.0 cannot (C0 controls but
 * tab/LF/CR, lone surrogates, U+FFFE/U+FFFF), and DEL and the C1 controls,
 * which XML allows but the W3C validator flags and no text needs.
 */
const NOT_XML = "[^\\t\\n\\r\\x20-\\x7E\\xA0-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]";

const TEXT = new RegExp(`[&<>\\r]|${NOT_XML}`, "gu");
const ATTRIBUTE = new RegExp(`[&<>"\\t\\n\\r]|${NOT_XML}`, "gu");

/**
 * `>` is escaped too, so `]]>` can never appear; CR, tab and LF are written as
 * character references where a parser would otherwise normalise them away.
 */
const REFERENCES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

/**
 * A quick test without the `u` flag finds most values need no change; it also
 * sends every surrogate (paired or lone) to the exact, slower pass.
 */
const MAYBE_TEXT = /[&<>\r\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;
const MAYBE_ATTRIBUTE = /[&<>"\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;

export function xmlText(value: string): string {
  return MAYBE_TEXT.test(value) ? value.replace(TEXT, (char) => REFERENCES[char] ?? "") : value;
}

const HEX_REFERENCES: Record<string, string> = {
  ...REFERENCES,
  "&": "&#x26;",
  "<": "&#x3C;",
  ">": "&#x3E;",
};

/**
 * For RSS: the RSS Best Practices Profile asks for hexadecimal references for
 * `&` and `<` in plain text, which tells readers (and the W3C validator) that
 * the text is not HTML. XML parsers read both forms the same.
 */
export function xmlTextHex(value: string): string {
  return MAYBE_TEXT.test(value) ? value.replace(TEXT, (char) => HEX_REFERENCES[char] ?? "") : value;
}

export function xmlEscapeAttribute(value: string): string {
  return MAYBE_ATTRIBUTE.test(value)
    ? value.replace(ATTRIBUTE, (char) => REFERENCES[char] ?? "")
    : value;
}

/** HTML text or attribute content: the same escapes, so markup in an article never becomes live. */
export const htmlEscape = xmlEscapeAttribute;

/** `<name attr="...">text</name>`, leaving out undefined attributes; no element at all when text is undefined. */
export function element(
  name: string,
  text: string | undefined,
  attributes: Record<string, string | number | undefined> = {},
  escape: (value: string) => string = xmlText,
): string {
  if (text === undefined) return "";
  return `<${name}${attributesOf(attributes)}>${escape(text)}</${name}>`;
}

export function emptyElement(
  name: string,
  attributes: Record<string, string | number | undefined>,
): string {
  return `<${name}${attributesOf(attributes)}/>`;
}

function attributesOf(attributes: Record<string, string | number | undefined>): string {
  let out = "";
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined) out += ` ${key}="${xmlEscapeAttribute(String(value))}"`;
  }
  return out;
}
