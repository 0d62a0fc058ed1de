/**
 * Dates as the feeds store them. Imported by the Worker (query parameters), so it
 * loads single date-fns functions, never the package index (hundreds of modules).
 */
import { isValid } from "date-fns/isValid";
import { parseISO } from "date-fns/parseISO";

/**
 * UTC `YYYY-MM-DDTHH:MM:SSZ`. A string without a zone is read as UTC, never as
 * the machine's local time, so the same file gives the same date everywhere.
 */
export function normaliseDateTime(value: Date | string): string | undefined {
  let date: Date;
  if (value instanceof Date) {
    date = value;
  } else {
    const trimmed = value.trim().replace(/^(\d{4}-\d\d-\d\d) (?=\d)/, "$1T");
    const hasZone = /(?:Z|[+-]\d\d(?::?\d\d)?)$/i.test(trimmed) && trimmed.includes("T");
    const withZone = hasZone ? trimmed : /T/.test(trimmed) ? `${trimmed}Z` : `${trimmed}T00:00:00Z`;
    date = parseISO(withZone);
  }
  if (!isValid(date)) return undefined;
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) return undefined;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

