/**
 * The time a store publishes at: the wall clock, read by the store on each
 * call (never by rendering), and whether scheduled articles show before their
 * time (the preview switch, INCLUDE_UNPUBLISHED, shows them with the drafts).
 */
import type { Config } from "../config.js";

export function publishingTime(config: Pick<Config, "includeUnpublished">): {
  now: () => number;
  showScheduled: boolean;
} {
  return { now: () => Date.now(), showScheduled: config.includeUnpublished };
}
