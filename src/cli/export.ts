/**
 * `npm run export [-- --out DIR --data DIR]`: every URL the service answers
 * without a query string, written as static files (default dist/site) for any
 * static host. Needs PUBLIC_URL, the address the files will be served from:
 * feeds name themselves and each other with absolute URLs.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { createItemFragments } from "../feeds/fragments.js";
import { createApp } from "../http/app.js";
import { everyStaticUrl } from "../http/urls.js";
import { createMemoryStore } from "../index/store.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { runMain } from "../runtime/main.js";
import { announceFeedPaths } from "../publish/announce.js";
import { ASSETS } from "../http/pages/assets.js";
import { headersFile } from "../publish/headers-file.js";
import { exportSite } from "../publish/static-export.js";
import { nodeBodyEtag } from "../runtime/etag.js";

/** A bar on a terminal; on a log (CI), a line at each tenth. */
function progress(): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`);
      return;
    }
    const tenth = Math.floor((done / total) * 10);
    if (tenth !== lastTenth && (tenth > lastTenth || done === total)) {
      lastTenth = tenth;
      console.log(`feedloom export: ${done}/${total} files`);
    }
  };
}

runMain("feedloom export", async () => {
  const { values } = parseArgs({ options: { out: { type: "string", default: "dist/site" }, data: { type: "string" }, headers: { type: "string", default: "cloudflare" } } });
  if (values.headers !== "cloudflare" && values.headers !== "netlify") throw new ConfigError("--headers must be cloudflare (Cloudflare Pages, Workers static assets) or netlify");
  const config = loadConfig(process.env);
  if (!config.publicUrl) throw new ConfigError("export needs PUBLIC_URL: the address the files will be served from (e.g. PUBLIC_URL=https://you.github.io/feeds npm run export), since feeds link to themselves with absolute URLs");
  const dir = values.data ?? process.env.DATA_DIR ?? "data";
  // One instant for the whole export, so that every file shows the same articles.
  const now = Date.now();
  const result = await loadIndexFromDir(dir, { includeUnpublished: config.includeUnpublished, now, showScheduled: config.includeUnpublished, cacheDir: defaultCacheDir(process.env) });
  for (const issue of result.issues.filter((item) => item.severity === "error")) console.warn(`feedloom export: ${formatIssue(issue)}`);
  console.log(summaryLine(result, dir));
  const store = createMemoryStore(result.index, "export", { now: () => now, showScheduled: config.includeUnpublished });
  const app = createApp({ store, config, etag: nodeBodyEtag, itemFragments: createItemFragments() });
  const urls = await everyStaticUrl(store, config);
  const started = performance.now();
  const headers = await headersFile(app, { publicUrl: config.publicUrl, basePath: config.basePath }, { page: "/", feed: "/feed.rss", asset: ASSETS.style.path, embed: "/embed/" }, values.headers);
  // What a browser is shown for a missing address: static hosts serve 404.html for every missing file.
  const notFound = await app.request(`${config.publicUrl}/404.html`, { headers: { Accept: "text/html" } });
  if (notFound.status !== 404) throw new Error(`/404.html: the app answered ${notFound.status}, not its not-found page`);
  const extra = [
    { file: "_headers", body: headers },
    { file: "404.html", body: await notFound.text() },
  ];
  const summary = await exportSite({ app, origin: config.publicUrl, urls, out: values.out, onProgress: progress(), extra });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `feedloom export: ${values.out}: ${summary.files} files (${(summary.bytes / 1024 / 1024).toFixed(1)} MB): ${summary.written} written, ${summary.unchanged} unchanged, ${summary.removed} removed, in ${seconds} s`,
  );
  // The first page of each feed whose file changed, digests included (a run after a day closes changes them): what WebSub hubs hear about.
  const changedFeeds = summary.writtenUrls.filter((url) => /^(?:\/(?:topics|providers)\/[^/]+)?\/(?:feed|digest\/(?:daily|weekly))\.(?:rss|atom|json)$/.test(url));
  await announceFeedPaths(config, changedFeeds, "feedloom export");
  // A static site cannot publish on its own: it needs an export at (or after) each due time.
  const next = result.scheduled[0];
  if (next) console.log(`feedloom export: next scheduled article due ${next.published} (${result.scheduled.length} scheduled): export again then to publish it`);
  return 0;
});
