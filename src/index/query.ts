/** Close matches for an unknown key, for 404 messages: closest first, then alphabetical. */
export function closestKeys(wanted: string, keys: Iterable<string>, count = 10): string[] {
  const target = wanted.toLowerCase();
  return [...keys]
    .map((key) => ({ key, score: distance(target, key) - (key.includes(target) || target.includes(key) ? key.length : 0) }))
    .sort((a, b) => a.score - b.score || (a.key < b.key ? -1 : 1))
    .slice(0, count)
    .map(({ key }) => key);
}

/** Levenshtein distance, two rows. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
