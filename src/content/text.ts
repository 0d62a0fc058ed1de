/**
 * From a file's bytes to clean text. Pure (web-standard TextDecoder only): the
 * caller reads the file, this decides what its text is and what to report.
 */

export type Decoded = { text: string; warning?: string } | { error: string };

const UTF8 = new TextDecoder("utf-8", { fatal: true });
// What a non-UTF-8 article file almost always is (Latin-1 as saved by Windows editors).
const WINDOWS_1252 = new TextDecoder("windows-1252");

/** UTF-8 (a BOM is dropped); else Windows-1252 with a warning, so the article is kept; binary and empty files are errors. */
export function decodeArticleBytes(bytes: Uint8Array): Decoded {
  if (bytes.byteLength === 0) return { error: "the file is empty" };
  if (bytes.subarray(0, 8192).includes(0))
    return { error: "is not a text file (it holds NUL bytes)" };
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    const text = WINDOWS_1252.decode(bytes);
    const line = text.slice(0, firstNonUtf8Offset(bytes)).split("\n").length;
    return {
      text,
      warning: `is not valid UTF-8 (first bad byte on line ${line}); it was read as Windows-1252: save it as UTF-8`,
    };
  }
}

function firstNonUtf8Offset(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.byteLength;
  // The longest valid prefix: decoding is all-or-nothing, so halve the range until it decodes.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle - 1;
    }
  }
  return low;
}

/**
 * Characters no feed should carry: C0 controls other than tab, LF and CR, DEL,
 * C1 controls, lone surrogates and the noncharacters U+FFFE/U+FFFF. XML 1.0
 * forbids most of them, the W3C validator warns about the rest, and JSON Feed
 * readers choke on NUL and lone surrogates.
 */
const UNWANTED =
  /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** NFC (so "é" typed two ways is one spelling) without the characters above. */
export function cleanText(value: string): string {
  return value.replace(UNWANTED, "").normalize("NFC");
}

/** At most `max` characters, cut at the last word boundary before it, with an ellipsis. */
export function truncateAtWord(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, "");
  const space = cut.search(/\s\S*$/);
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
