/**
 * Deliveries: each queued activity is POSTed, signed, to its inbox as soon as
 * it is queued, a few at a time. A server that answers 5xx or 429, times out
 * or cannot be reached is tried again later, each wait longer than the last,
 * for up to a day; then the delivery is given up and logged. A refusal (other
 * 4xx) is given up at once. The queue is the state's, so it survives a
 * restart; an activity keeps its id on every attempt, so a server that did
 * receive an attempt we thought failed shows the post once.
 */
import type { Delivery, FederationState } from "./state.js";

export interface DeliveryPolicy {
  /** Waits after each failed attempt, in ms; the last repeats. */
  retryDelays: readonly number[];
  /** A delivery failing this long after its first attempt is given up. */
  giveUpAfterMs: number;
  /** One attempt's longest wait for an answer. */
  timeoutMs: number;
  /** Deliveries in flight at once. */
  concurrency: number;
}

export const DELIVERY_POLICY: DeliveryPolicy = {
  retryDelays: [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000],
  giveUpAfterMs: 24 * 3600_000,
  timeoutMs: 15_000,
  concurrency: 8,
};

/** One attempt: the answer's status, or the error that stopped it. */
export type Send = (delivery: Delivery, signal: AbortSignal) => Promise<number>;

export interface Deliverer {
  /** Starts what is due now (call after queueing). */
  kick(): void;
  /** Resolves when nothing is queued or in flight (tests, and the bench). */
  idle(): Promise<void>;
  close(): void;
}

const retryable = (status: number) => status >= 500 || status === 429 || status === 408;

/** One attempt of a delivery: "" when delivered, else what went wrong ("refused: …" when retrying is pointless). */
export async function attemptDelivery(
  send: Send,
  delivery: Delivery,
  policy: DeliveryPolicy,
): Promise<string> {
  try {
    const status = await send(delivery, AbortSignal.timeout(policy.timeoutMs));
    return status < 300 ? "" : retryable(status) ? `HTTP ${status}` : `refused: HTTP ${status}`;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

/** The delivery's next attempt after `outcome`, or undefined when it is done: delivered, refused or given up (logged). */
export function nextAttempt(
  delivery: Delivery,
  outcome: string,
  { policy, now, log }: { policy: DeliveryPolicy; now: number; log: (line: string) => void },
): Delivery | undefined {
  if (outcome === "") return undefined;
  const attempts = delivery.attempts + 1;
  if (outcome.startsWith("refused") || now - delivery.firstAt >= policy.giveUpAfterMs) {
    log(
      `feedloom federation: gave up delivering ${delivery.id} to ${delivery.inbox} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${outcome}`,
    );
    return undefined;
  }
  const wait = policy.retryDelays[Math.min(attempts - 1, policy.retryDelays.length - 1)];
  return { ...delivery, attempts, nextAt: now + wait };
}

/** Node's deliverer: the in-memory queue, attempted as soon as queued, retried on timers. */
export function createDeliverer(options: {
  state: FederationState;
  send: Send;
  policy?: DeliveryPolicy;
  now?: () => number;
  log?: (line: string) => void;
}): Deliverer {
  const { state, send, policy = DELIVERY_POLICY, now = Date.now, log = console.warn } = options;
  const inFlight = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let waiting: (() => void)[] = [];

  const attempt = async (delivery: Delivery) => {
    inFlight.add(delivery.id);
    const outcome = await attemptDelivery(send, delivery, policy);
    inFlight.delete(delivery.id);
    if (!closed)
      state.settle(delivery.id, nextAttempt(delivery, outcome, { policy, now: now(), log }));
    kick();
  };

  const kick = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    const at = now();
    let nextDue = Infinity;
    for (const delivery of state.queue.values()) {
      // Full: each attempt that ends kicks again, so the rest need no look now.
      if (inFlight.size >= policy.concurrency) return;
      if (inFlight.has(delivery.id)) continue;
      if (delivery.nextAt > at) nextDue = Math.min(nextDue, delivery.nextAt);
      else void attempt(delivery);
    }
    if (nextDue < Infinity) timer = setTimeout(kick, nextDue - at).unref();
    if (inFlight.size === 0 && state.queue.size === 0) {
      for (const resolve of waiting) resolve();
      waiting = [];
    }
  };

  return {
    kick,
    idle: () =>
      inFlight.size === 0 && state.queue.size === 0
        ? Promise.resolve()
        : new Promise((resolve) => waiting.push(resolve)),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
