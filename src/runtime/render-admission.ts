/**
 * Node's render admission: a cache miss renders only while rendering has
 * taken less than its share of the server's recent time; past it, a miss is
 * answered at once with 503 and Retry-After, which feed readers honour. A
 * cached response never comes here, so it never gets a 503, and a flood of
 * distinct uncached URLs (cheap to send: ?limit=1..200&q=ab) cannot keep the
 * event loop from the feeds readers poll.
 *
 * "Recent" is an exponentially decayed sum of render time: one number, no
 * window to keep. Rendering a fraction f of the time holds the sum at
 * f · halfLife / ln 2, so a miss is refused once that passes share · halfLife / ln 2.
 */
import { HttpError } from "../http/errors.js";
import type { RenderAdmission } from "../http/render-cache.js";

export interface RenderAdmissionOptions {
  /** Most of the server's time renders may take (the rest answers from the cache). */
  share?: number;
  /** How fast past render time is forgotten: also bounds a burst, to about share · halfLife / ln 2. */
  halfLifeMs?: number;
  retryAfterSeconds?: number;
  /** Milliseconds, monotonic: performance.now, or a test's clock. */
  now?: () => number;
}

export function createRenderAdmission({
  share = 0.5,
  halfLifeMs = 50,
  retryAfterSeconds = 2,
  now = () => performance.now(),
}: RenderAdmissionOptions = {}): RenderAdmission & {
  /** Render time recently spent, decayed (for tests and the bench). */
  readonly busyMs: number;
} {
  const limit = (share * halfLifeMs) / Math.LN2;
  let busy = 0;
  let at = now();
  const decay = () => {
    const time = now();
    busy *= 2 ** (-(time - at) / halfLifeMs);
    at = time;
    return time;
  };
  return {
    get busyMs() {
      decay();
      return busy;
    },
    async run(render) {
      decay();
      if (busy > limit) {
        throw new HttpError(
          503,
          `busy: this page is not cached and the server is rendering others; retry in ${retryAfterSeconds} s`,
          { "Retry-After": String(retryAfterSeconds) },
        );
      }
      const started = now();
      try {
        return await render();
      } finally {
        decay();
        busy += at - started;
      }
    },
  };
}
