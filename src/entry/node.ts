/** Node entry: read data/, build the index once, serve the app. */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { createApp } from "../http/app.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../runtime/load.js";
import { createMemoryRenderCache } from "../runtime/memory-cache.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const dir = process.env.DATA_DIR ?? "data";
  const result = await loadIndexFromDir(dir, { includeUnpublished: config.includeUnpublished, cacheDir: defaultCacheDir(process.env) });
  for (const issue of result.issues.filter((item) => item.severity === "error")) console.warn(`feedloom: ${formatIssue(issue)}`);
  console.log(summaryLine(result, dir));
  const app = createApp({ index: result.index, config, cache: createMemoryRenderCache() });
  const port = Number(process.env.PORT ?? 8787);
  const hostname = process.env.HOST ?? "127.0.0.1";
  serve({ fetch: app.fetch, port, hostname }, (info) => {
    console.log(`feedloom: serving http://${hostname}:${info.port}/feed.rss (also /feed.atom, /feed.json, /topics.json, /providers.json)`);
  });
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `feedloom: ${error.message}` : error);
  process.exit(1);
});
