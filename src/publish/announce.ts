/** After a publish, deploy or export: the feeds that changed, announced to the configured WebSub hubs. */
import type { Config } from "../config.js";
import { FORMATS, FORMAT_NAMES, feedPath, digestPath } from "../scheme/paths.js";
import { DIGEST_KINDS, closedPeriods } from "../index/digest.js";
import { type ContentStore, type StoreScope, scopesOf } from "../index/store.js";
import { type PingOptions, pingHubs } from "./websub.js";

/** Every format's path of each scope's feed. */
export function feedPathsOf(scopes: readonly StoreScope[]): string[] {
  return scopes.flatMap((scope) =>
    FORMAT_NAMES.map((format) => `${feedPath(scope)}.${FORMATS[format].extension}`),
  );
}

/** Reports each hub's answer on the console; never fails the caller. */
export async function announceChanges(
  config: Config,
  scopes: readonly StoreScope[],
  label: string,
  options: PingOptions = {},
): Promise<void> {
  await announceFeedPaths(config, feedPathsOf(scopes), label, options);
}

/** The same for feed paths (`/topics/ai/feed.rss`), under PUBLIC_URL. */
export async function announceFeedPaths(
  config: Config,
  paths: readonly string[],
  label: string,
  options: PingOptions = {},
): Promise<void> {
  if (config.websubHubs.length === 0 || paths.length === 0) return;
  if (!config.publicUrl) {
    console.warn(
      `${label}: WEBSUB_HUBS is set but PUBLIC_URL is not: hubs need the feeds' public URLs, so no hub was told`,
    );
    return;
  }
  const urls = paths.map((path) => `${config.publicUrl}${path}`);
  for (const result of await pingHubs(config.websubHubs, urls, options)) {
    if (result.ok)
      console.log(
        `${label}: told ${result.hub} that ${result.urls} feed URLs changed (${result.detail})`,
      );
    else
      console.warn(
        `${label}: hub ${result.hub} did not take ${result.urls} feed URLs after ${result.attempts} attempts: ${result.detail} (the publish itself succeeded)`,
      );
  }
}

/**
 * The digest feeds that gained an item between two instants: for each kind whose period closed in
 * (from, to], the digest of everything and of each topic that period had articles in.
 */
export async function closedDigestFeedPaths(
  store: ContentStore,
  timeZone: string,
  from: number,
  to: number,
): Promise<string[]> {
  const paths: string[] = [];
  for (const kind of DIGEST_KINDS) {
    const [period] = closedPeriods(kind, to, timeZone, 1);
    if (period.end <= from) continue;
    const articles = await store.publishedBetween(
      { kind: "all" },
      period.start - 1000,
      period.end - 1000,
    );
    const scopes = scopesOf(articles).filter((scope) => scope.kind !== "provider");
    paths.push(
      ...scopes.flatMap((scope) =>
        FORMAT_NAMES.map((format) => `${digestPath(scope, kind)}.${FORMATS[format].extension}`),
      ),
    );
  }
  return paths;
}
