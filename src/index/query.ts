/**
 * Close matches for an unknown key, for 404 messages: closest first, then
 * alphabetical. The work is bounded whatever the request holds: only the first
 * MAX_COMPARED characters are compared, and only within MAX_DISTANCE edits,
 * so a 15,000-character key costs what a short one does.
 */
const MAX_COMPARED = 64;
const MAX_DISTANCE = 3;

export function closestKeys(wanted: string, keys: Iterable<string>, count = 10): string[] {
  const target = wanted.toLowerCase().slice(0, MAX_COMPARED);
  const scored: { key: string; score: number }[] = [];
  for (const key of keys) {
    const contains = target.length >= 2 && (key.includes(target) || target.includes(key));
    const distance = boundedDistance(target, key, MAX_DISTANCE);
    if (!contains && distance > MAX_DISTANCE) continue;
    scored.push({ key, score: distance - (contains ? key.length : 0) });
  }
  return scored
    .sort((a, b) => a.score - b.score || (a.key < b.key ? -1 : 1))
    .slice(0, count)
    .map(({ key }) => key);
}

/** Levenshtein distance when it is at most `limit`, else `limit + 1`: only a band of 2·limit+1 cells a row is filled. */
export function boundedDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const outside = limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => (j <= limit ? j : outside));
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(outside);
    if (i <= limit) current[0] = i;
    let best = current[0];
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        outside,
      );
      if (current[j] < best) best = current[j];
    }
    if (best > limit) return outside;
    previous = current;
  }
  return Math.min(previous[b.length], outside);
}
