/**
 * The instant a store publishes at: the wall clock, read by the store on each
 * call (never by rendering). With the preview switch (INCLUDE_UNPUBLISHED),
 * after every date, so scheduled articles show too.
 */
import type { Config } from "../config.js";

export function publishingClock(config: Pick<Config, "includeUnpublished">): () => number {
  return config.includeUnpublished ? () => Infinity : () => Date.now();
}
