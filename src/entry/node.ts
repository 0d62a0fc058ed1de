/** Node entry: read data/, build the index once, serve the app. */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { createApp } from "../http/app.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../runtime/load.js";
import { createMemoryRenderCache } from "../runtime/memory-cache.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
  const hostname = process.env.HOST ?? "127.0.0.1";
  const dir = process.env.DATA_DIR ?? "data";
  const result = await loadIndexFromDir(dir, { includeUnpublished: config.includeUnpublished, cacheDir: defaultCacheDir(process.env) });
  for (const issue of result.issues.filter((item) => item.severity === "error")) console.warn(`feedloom: ${formatIssue(issue)}`);
  console.log(summaryLine(result, dir));
  const app = createApp({ index: result.index, config, cache: createMemoryRenderCache() });
  const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
    console.log(`feedloom: serving http://${hostname}:${info.port}/feed.rss (also /feed.atom, /feed.json, /topics.json, /providers.json)`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `feedloom: ${error.message}` : error);
  process.exit(1);
});
