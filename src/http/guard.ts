/**
 * What the guarded routes (statistics, the publishing API) share: secrets
 * compared without leaking through timing, failures that slow down per
 * address, and the headers that keep their answers out of caches and away
 * from other origins. Web Crypto only, so Node and Workers run the same code.
 */
const utf8 = new TextEncoder();

/** Each failure waits this long, doubled per failure before it from the same address, up to MAX_DELAY_MS. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 8_000;
/** Failures are forgotten after this long without one. */
const FAILURE_MEMORY_MS = 15 * 60_000;
/** Addresses remembered at most: a flood from many addresses cannot grow memory. */
const MAX_TRACKED = 10_000;

/** For answers that are one operator's: never cached anywhere, not for robots, not for other origins. */
export const PRIVATE = {
  "Cache-Control": "private, no-store",
  "X-Robots-Tag": "noindex",
  // Nothing of this is for other origins: the standard CORS headers are dropped.
  "Access-Control-Allow-Origin": "",
  "Access-Control-Expose-Headers": "",
};

/** SHA-256 of a secret: what is kept of it, and what comparisons read. */
export async function secretDigest(secret: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(secret)));
}

/** Equal digests, compared without stopping at the first difference (they are of equal length). */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/** Waits as long as an address's recent failures say, then counts one more. */
export function failureDelay(now: () => number = Date.now): (address: string) => Promise<void> {
  const failures = new Map<string, { count: number; last: number }>();
  return async (address) => {
    const at = now();
    const before = failures.get(address);
    const count = before && at - before.last < FAILURE_MEMORY_MS ? before.count : 0;
    failures.delete(address);
    if (failures.size >= MAX_TRACKED) failures.delete(failures.keys().next().value!);
    failures.set(address, { count: count + 1, last: at });
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(FIRST_DELAY_MS * 2 ** count, MAX_DELAY_MS)),
    );
  };
}
