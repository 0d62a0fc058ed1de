/**
 * Digests: closed periods (days, or ISO weeks from Monday) in the readers'
 * time zone, and the ranking of a period's articles. Pure: "now" comes from
 * the store, the zone from the config. A day closes at local midnight, so a
 * day across a DST change lasts 23 or 25 hours.
 */
import { TZDate } from "@date-fns/tz";
import type { Article } from "../content/article.js";
import type { ContentStore, StoreScope } from "./store.js";

export type DigestKind = "daily" | "weekly";
export const DIGEST_KINDS: readonly DigestKind[] = ["daily", "weekly"];

/** How many closed periods a digest feed holds: 30 days, or 12 weeks. */
export const PERIODS_KEPT: Record<DigestKind, number> = { daily: 30, weekly: 12 };

export interface Period {
  kind: DigestKind;
  /** `2026-11-17` for a day, `2026-W47` for an ISO week: part of its URL and of its items' ids. */
  key: string;
  /** Local midnight that opens it, and the one that closes it, as UTC milliseconds. */
  start: number;
  end: number;
  /** Its first local day. */
  year: number;
  month: number;
  day: number;
}

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_KEY = /^(\d{4})-W(\d{2})$/;

/** Midnight of a local date in `timeZone` (the date may overflow: day 32 is the 1st of the next month). */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  return new TZDate(year, month - 1, day, 0, 0, 0, timeZone).getTime();
}

/** Periods found, by kind, zone and first day: every digest page asks for its own and the current one, and each costs time-zone arithmetic. */
const periodMemo = new Map<string, Period>();

function periodFrom(
  kind: DigestKind,
  year: number,
  month: number,
  day: number,
  timeZone: string,
): Period {
  const memoKey = `${kind} ${timeZone} ${year} ${month} ${day}`;
  let period = periodMemo.get(memoKey);
  if (!period) {
    if (periodMemo.size >= 1024) periodMemo.clear();
    periodMemo.set(memoKey, (period = findPeriod(kind, year, month, day, timeZone)));
  }
  return period;
}

function findPeriod(
  kind: DigestKind,
  year: number,
  month: number,
  day: number,
  timeZone: string,
): Period {
  // Normalise overflowing dates through UTC calendar arithmetic, which has no DST.
  const first = new Date(Date.UTC(year, month - 1, day));
  const [y, m, d] = [first.getUTCFullYear(), first.getUTCMonth() + 1, first.getUTCDate()];
  const length = kind === "daily" ? 1 : 7;
  return {
    kind,
    key: kind === "daily" ? dayKey(y, m, d) : isoWeekKey(y, m, d),
    start: localMidnight(y, m, d, timeZone),
    end: localMidnight(y, m, d + length, timeZone),
    year: y,
    month: m,
    day: d,
  };
}

const pad = (value: number) => String(value).padStart(2, "0");
const dayKey = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/** ISO 8601 week of a Monday's date: the week belongs to the year of its Thursday, and week 1 holds that year's first Thursday. */
function isoWeekKey(year: number, month: number, day: number): string {
  const thursday = Date.UTC(year, month - 1, day + 3);
  const weekYear = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(weekYear, 0, 1)) / (7 * 86_400_000));
  return `${weekYear}-W${pad(week)}`;
}

/**
 * The latest period found to hold an instant, per kind and zone: every request asks about now (the
 * server's fast path, for its cache key), and a period lasts a day or a week. An earlier instant
 * (a digest page asks about the end of its own period) is answered without replacing it.
 */
const currentPeriods = new Map<string, Period>();

/** The period that holds `now` (still open). */
export function currentPeriod(kind: DigestKind, now: number, timeZone: string): Period {
  const memoKey = `${kind} ${timeZone}`;
  const known = currentPeriods.get(memoKey);
  if (known && now >= known.start && now < known.end) return known;
  const local = new TZDate(now, timeZone);
  const [year, month, day] = [local.getFullYear(), local.getMonth() + 1, local.getDate()];
  const back = kind === "daily" ? 0 : (local.getDay() + 6) % 7; // days since Monday
  const period = periodFrom(kind, year, month, day - back, timeZone);
  if (known && period.start < known.start) return period;
  if (currentPeriods.size >= 64) currentPeriods.clear();
  currentPeriods.set(memoKey, period);
  return period;
}

/** The key of the day that holds `now` (`2026-11-28`): what cache keys carry. */
export const currentDayKey = (now: number, timeZone: string): string =>
  currentPeriod("daily", now, timeZone).key;

/** Closed periods found, by kind, zone, count and day: they change only at midnight, and each costs time-zone arithmetic. */
const closedMemo = new Map<string, Period[]>();

/** The latest `count` closed periods, newest first: never the current one. */
export function closedPeriods(
  kind: DigestKind,
  now: number,
  timeZone: string,
  count = PERIODS_KEPT[kind],
): Period[] {
  const memoKey = `${kind} ${timeZone} ${count} ${currentDayKey(now, timeZone)}`;
  const known = closedMemo.get(memoKey);
  if (known) return known;
  const current = currentPeriod(kind, now, timeZone);
  const length = kind === "daily" ? 1 : 7;
  const periods = Array.from({ length: count }, (_, i) =>
    periodFrom(kind, current.year, current.month, current.day - length * (i + 1), timeZone),
  );
  if (closedMemo.size >= 64) closedMemo.clear();
  closedMemo.set(memoKey, periods);
  return periods;
}

/** The period a URL names, if it is a well-formed key; whether it is closed is the caller's question. */
export function periodOfKey(kind: DigestKind, key: string, timeZone: string): Period | undefined {
  if (kind === "daily") {
    const match = DAY_KEY.exec(key);
    if (!match) return undefined;
    const period = periodFrom(kind, Number(match[1]), Number(match[2]), Number(match[3]), timeZone);
    return period.key === key ? period : undefined; // 2026-02-31 is no day
  }
  const match = WEEK_KEY.exec(key);
  if (!match) return undefined;
  // Week 1 holds 4 January; its Monday is then counted on.
  const january4 = new Date(Date.UTC(Number(match[1]), 0, 4));
  const monday = 4 - ((january4.getUTCDay() + 6) % 7) + 7 * (Number(match[2]) - 1);
  const period = periodFrom(kind, Number(match[1]), 1, monday, timeZone);
  return period.key === key ? period : undefined;
}

/** A signal for ordering: articles without it come after every article with it. */
const signal = (value: number | undefined) => value ?? Number.NEGATIVE_INFINITY;

/** Heat, highest first (none last), then quality, then newest, then id: the same order on every runtime. */
export function byRank(a: Article, b: Article): number {
  return (
    signal(b.heat) - signal(a.heat) ||
    signal(b.quality) - signal(a.quality) ||
    (a.published < b.published ? 1 : a.published > b.published ? -1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** A period's articles (any order), ranked. */
export function rankArticles(articles: readonly Article[]): Article[] {
  return [...articles].sort(byRank);
}

/** An article list's instant as articles write theirs (`…:SSZ`). */
export const isoSecond = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** The articles of each period, ranked; `articles` is every article of the periods' span, newest first. */
export function splitIntoPeriods(
  periods: readonly Period[],
  articles: readonly Article[],
): { period: Period; ranked: Article[] }[] {
  return periods.map((period) => {
    const [start, end] = [isoSecond(period.start), isoSecond(period.end)];
    return {
      period,
      ranked: rankArticles(
        articles.filter((article) => article.published >= start && article.published < end),
      ),
    };
  });
}

/** Every article of the periods' span in one read of the store, split and ranked per period (newest period first). */
export async function withArticles(
  store: ContentStore,
  scope: StoreScope,
  periods: readonly Period[],
): Promise<{ period: Period; ranked: Article[] }[]> {
  // Periods are [start, end); the store counts (from, to], to the second.
  const articles = await store.publishedBetween(
    scope,
    periods.at(-1)!.start - 1000,
    periods[0].end - 1000,
  );
  return splitIntoPeriods(periods, articles);
}

/**
 * A digest feed's periods and their ranked articles: the latest closed ones; when none of them has an
 * article (a site that paused, sample data from another year), the latest closed ones up to its
 * newest article's, so that a reader still gets its last digests, each dated truly.
 */
export async function digestPeriods(
  store: ContentStore,
  scope: StoreScope,
  kind: DigestKind,
  timeZone: string,
): Promise<{ period: Period; ranked: Article[] }[]> {
  const now = store.instant();
  const recent = await withArticles(store, scope, closedPeriods(kind, now, timeZone));
  if (recent.some(({ ranked }) => ranked.length > 0)) return recent;
  const newest =
    scope.kind === "all"
      ? (await store.overview()).newest
      : (await store.group(scope.kind, scope.key))?.newest;
  if (newest === undefined) return recent;
  const after = currentPeriod(kind, Date.parse(newest), timeZone).end;
  return after > now ? recent : withArticles(store, scope, closedPeriods(kind, after, timeZone));
}
