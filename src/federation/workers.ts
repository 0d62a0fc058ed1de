/**
 * Federation on a Worker: its state and key pair in D1 (d1-state.ts), its
 * rounds of posts and its deliveries run inside a waitUntil (d1-rounds.ts),
 * and outgoing requests through the Worker's own fetch with the address rules
 * of outgoing.ts. The queue is in D1, not a Cloudflare Queue: it is written in
 * the same transaction as the record of what was posted, so a round is
 * applied once or not at all, and it needs no binding beyond the articles'.
 */
import type { Config, FederationConfig } from "../config.js";
import type { ContentStore } from "../index/store.js";
import type { D1Like } from "../sources/d1-store.js";
import { d1Deliverer, postRounds } from "./d1-rounds.js";
import { type D1FederationStore, d1FederationStore, d1Keys } from "./d1-state.js";
import type { DeliveryPolicy } from "./delivery.js";
import { Federation, checkFederation } from "./federation.js";
import type { KeyPair } from "./keys.js";
import { checkedFetch } from "./outgoing.js";

export interface WorkerFederation {
  federation: Federation<D1FederationStore>;
  /** Tells followers what changed since the last round, then delivers what is due. */
  round(content: ContentStore): Promise<void>;
  /** Delivers what is due (the Accept of a follow, retries), for as long as a waitUntil lasts. */
  deliver(): Promise<void>;
}

export function workerFederation(options: {
  db: D1Like;
  config: Config & { publicUrl: string };
  settings: FederationConfig;
  now?: () => number;
  policy?: DeliveryPolicy;
  log?: (line: string) => void;
}): WorkerFederation {
  const { db, config, settings } = options;
  checkFederation(config, settings);
  const state = d1FederationStore(db);
  let keys: Promise<KeyPair> | undefined;
  let deliver = () => Promise.resolve();
  const federation = new Federation({
    config,
    settings,
    state,
    // Read once per isolate; a failed read (D1 unavailable) is tried again by the next request.
    keys: () =>
      (keys ??= d1Keys(db).catch((error: unknown) => {
        keys = undefined;
        throw error;
      })),
    fetcher: checkedFetch((url, init) => fetch(url, init), settings.allowInsecure),
    deliverer: (parts) => {
      const made = d1Deliverer(state, parts);
      deliver = made.deliver;
      return made;
    },
    ...(options.now ? { now: options.now } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    federation,
    async round(content) {
      await postRounds(db, federation, content);
      await deliver();
    },
    deliver: () => deliver(),
  };
}
