/** After a publish, deploy or export: the feeds that changed, announced to the configured WebSub hubs. */
import type { Config } from "../config.js";
import { FORMATS, FORMAT_NAMES, feedPath } from "../feeds/model.js";
import type { StoreScope } from "../index/store.js";
import { type PingOptions, pingHubs } from "./websub.js";

/** Every format's URL of each scope, under PUBLIC_URL. */
export function feedUrlsOf(publicUrl: string, scopes: readonly StoreScope[]): string[] {
  return scopes.flatMap((scope) => FORMAT_NAMES.map((format) => `${publicUrl}${feedPath(scope)}.${FORMATS[format].extension}`));
}

/** Reports each hub's answer on the console; never fails the caller. */
export async function announceChanges(config: Config, scopes: readonly StoreScope[], label: string, options: PingOptions = {}): Promise<void> {
  if (config.websubHubs.length === 0 || scopes.length === 0) return;
  if (!config.publicUrl) {
    console.warn(`${label}: WEBSUB_HUBS is set but PUBLIC_URL is not: hubs need the feeds' public URLs, so no hub was told`);
    return;
  }
  const urls = feedUrlsOf(config.publicUrl, scopes);
  for (const result of await pingHubs(config.websubHubs, urls, options)) {
    if (result.ok) console.log(`${label}: told ${result.hub} that ${result.urls} feed URLs changed (${result.detail})`);
    else console.warn(`${label}: hub ${result.hub} did not take ${result.urls} feed URLs after ${result.attempts} attempts: ${result.detail} (the publish itself succeeded)`);
  }
}
