/** After a publish, deploy or export: the feeds that changed, announced to the configured WebSub hubs. */
import type { Config } from "../config.js";
import { FORMATS, FORMAT_NAMES, feedPath } from "../feeds/model.js";
import type { StoreScope } from "../index/store.js";
import { type PingOptions, pingHubs } from "./websub.js";

/** Every format's path of each scope's feed. */
export function feedPathsOf(scopes: readonly StoreScope[]): string[] {
  return scopes.flatMap((scope) => FORMAT_NAMES.map((format) => `${feedPath(scope)}.${FORMATS[format].extension}`));
}

/** Reports each hub's answer on the console; never fails the caller. */
export async function announceChanges(config: Config, scopes: readonly StoreScope[], label: string, options: PingOptions = {}): Promise<void> {
  await announceFeedPaths(config, feedPathsOf(scopes), label, options);
}

/** The same for feed paths (`/topics/ai/feed.rss`), under PUBLIC_URL. */
export async function announceFeedPaths(config: Config, paths: readonly string[], label: string, options: PingOptions = {}): Promise<void> {
  if (config.websubHubs.length === 0 || paths.length === 0) return;
  if (!config.publicUrl) {
    console.warn(`${label}: WEBSUB_HUBS is set but PUBLIC_URL is not: hubs need the feeds' public URLs, so no hub was told`);
    return;
  }
  const urls = paths.map((path) => `${config.publicUrl}${path}`);
  for (const result of await pingHubs(config.websubHubs, urls, options)) {
    if (result.ok) console.log(`${label}: told ${result.hub} that ${result.urls} feed URLs changed (${result.detail})`);
    else console.warn(`${label}: hub ${result.hub} did not take ${result.urls} feed URLs after ${result.attempts} attempts: ${result.detail} (the publish itself succeeded)`);
  }
}
