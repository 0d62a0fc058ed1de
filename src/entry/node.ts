/** Node entry: read data/, build the index once, serve the app. */
import { serve } from "@hono/node-server";
import { ConfigError, LOOPBACK_HOSTS, loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { createApp } from "../http/app.js";
import { createMemoryStore } from "../index/store.js";
import { createLruRenderCache } from "../http/lru-render-cache.js";
import { zlibCompressor } from "../runtime/compression.js";
import { nodeBodyEtag } from "../runtime/etag.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { runMain } from "../runtime/main.js";

runMain("feedloom", async () => {
  const config = loadConfig(process.env);
  const port = Number(process.env.PORT ?? 8787);
  if (!/^\d+$/.test(process.env.PORT ?? "8787") || port > 65535) throw new ConfigError(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(process.env.PORT)}`);
  const hostname = process.env.HOST ?? "127.0.0.1";
  const dir = process.env.DATA_DIR ?? "data";
  const result = await loadIndexFromDir(dir, { includeUnpublished: config.includeUnpublished, cacheDir: defaultCacheDir(process.env) });
  for (const issue of result.issues.filter((item) => item.severity === "error")) console.warn(`feedloom: ${formatIssue(issue)}`);
  console.log(summaryLine(result, dir));
  if (!config.publicUrl) {
    const hosts = config.allowedHosts === "any" ? "any host" : config.allowedHosts.join(", ");
    console.warn(
      `feedloom: PUBLIC_URL is not set: feed links use the request's host, answered only for ${hosts} (ALLOWED_HOSTS). ` +
        "Before serving the public, set PUBLIC_URL=https://your-feeds-host",
    );
  }
  const app = createApp({ store: createMemoryStore(result.index, "node"), config, cache: createLruRenderCache({ admitOnSecondRequest: true }), compressor: zlibCompressor, etag: nodeBodyEtag, memoizeItems: true });
  const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
    const shown = (LOOPBACK_HOSTS as readonly string[]).includes(hostname) || hostname === "0.0.0.0" ? "127.0.0.1" : hostname;
    console.log(`feedloom: serving http://${shown}:${info.port}${config.basePath}/ (pages) and http://${shown}:${info.port}${config.basePath}/feed.rss (also /feed.atom, /feed.json, /feeds.opml)`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new ConfigError(`port ${port} on ${hostname} is in use (another feedloom, or npm run dev?): stop it, or set PORT to a free port`));
      else if (error.code === "EACCES") reject(new ConfigError(`port ${port} on ${hostname} needs privileges this user lacks: set PORT to 1024 or above`));
      else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") reject(new ConfigError(`HOST ${JSON.stringify(hostname)} is not an address of this machine: set HOST to one (e.g. 127.0.0.1 or 0.0.0.0)`));
      else reject(error);
    });
  });
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
});
