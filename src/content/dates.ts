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
export function normaliseDateTime(value: string): string | undefined {
  const trimmed = value.trim().replace(/^(\d{4}-\d\d-\d\d) (?=\d)/, "$1T");
  const hasZone = /(?:Z|[+-]\d\d(?::?\d\d)?)$/i.test(trimmed) && trimmed.includes("T");
  const withZone = hasZone ? trimmed : /T/.test(trimmed) ? `${trimmed}Z` : `${trimmed}T00:00:00Z`;
  // parseISO refuses impossible dates and times (month 13, day 45, 25:61) instead of rolling them over.
  const date = parseISO(withZone);
  if (!isValid(date)) return undefined;
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) return undefined;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
