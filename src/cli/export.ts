/**
 * `feedloom export [DIR] --out OUT`: every URL the service answers
 * without a query string, written as static files (default dist/site) for any
 * static host. Needs PUBLIC_URL, the address the files will be served from:
 * feeds name themselves and each other with absolute URLs.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, PREVIEW_WARNING, loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { everyStaticUrl, movedFeedRedirects } from "../scheme/routes.js";
import { SITE_ASSETS } from "../http/assets.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { announceFeedPaths } from "../publish/announce.js";
import { type HeadersHost, headersFile } from "../publish/headers-file.js";
import { exportApp, exportThread } from "../publish/export-threads.js";
import { appFile, exportSite } from "../publish/static-export.js";
import { BASE_URL, type Command, type Env, UsageError, dataDir, text, DATA } from "./command.js";

/** A bar on a terminal; on a log (CI), a line at each tenth. */
function progress(): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(
        `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`,
      );
      return;
    }
    const tenth = Math.floor((done / total) * 10);
    if (tenth !== lastTenth && (tenth > lastTenth || done === total)) {
      lastTenth = tenth;
      console.log(`feedloom export: ${done}/${total} files`);
    }
  };
}

/**
 * What every exported file depends on besides its own inputs: this program's
 * code (the bundle npm run export runs, or this module under tsx), the
 * configuration and the headers' host. Any change renders everything again.
 */
function exportSalt(config: Config, host: string): string {
  return createHash("sha1")
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(JSON.stringify({ config, host }))
    .digest("base64url");
}

export const exportCommand: Command = {
  name: "export",
  summary:
    "Writes every feed, archive and page of DIR (default: data) as static files, for any static host.",
  args: "[DIR]",
  maxArgs: 1,
  options: {
    out: {
      type: "string",
      short: "o",
      value: "OUT",
      default: "dist/site",
      description: "the folder to write (default dist/site)",
    },
    ...BASE_URL,
    headers: {
      type: "string",
      value: "HOST",
      default: "cloudflare",
      description: "whose _headers syntax to write: cloudflare (default) or netlify",
    },
    ...DATA,
  },
  details:
    "Needs the address the files will be served from (--base-url or PUBLIC_URL): feeds name themselves and each other with absolute URLs. A second export writes only the files whose inputs changed.",
  run: ({ values, args, env }) =>
    exportFolder(
      {
        dir: dataDir(args, env, values),
        out: text(values, "out"),
        headers: text(values, "headers"),
      },
      env,
    ),
};

async function exportFolder(
  values: { dir: string; out: string; headers: string },
  env: Env,
): Promise<number> {
  if (values.headers !== "cloudflare" && values.headers !== "netlify")
    throw new UsageError(
      "--headers must be cloudflare (Cloudflare Pages, Workers static assets) or netlify",
    );
  const config = loadConfig(env);
  if (!config.publicUrl)
    throw new UsageError(
      "export needs the address the files will be served from: --base-url https://you.github.io/feeds (or PUBLIC_URL), since feeds link to themselves with absolute URLs",
    );
  // One instant for the whole export, so that every file shows the same articles.
  const now = Date.now();
  // The parse cache and the export's record live together, outside the site.
  const cacheDir = defaultCacheDir(env);
  const thread = helperThreads(env) ? exportThread() : undefined;
  try {
    return await exportWith(values, config, { now, cacheDir, thread });
  } finally {
    await thread?.close();
  }
}

async function exportWith(
  values: { dir: string; out: string; headers: string },
  config: Config,
  {
    now,
    cacheDir,
    thread,
  }: { now: number; cacheDir?: string; thread?: ReturnType<typeof exportThread> },
): Promise<number> {
  const dir = values.dir;
  const result = await loadIndexFromDir(dir, {
    includeUnpublished: config.includeUnpublished,
    now,
    showScheduled: config.includeUnpublished,
    cacheDir,
    parseElsewhere: thread?.parse,
  });
  for (const issue of result.issues.filter((item) => item.severity === "error"))
    console.warn(`feedloom export: ${formatIssue(issue)}`);
  console.log(summaryLine(result, dir));
  if (config.includeUnpublished) console.warn(PREVIEW_WARNING);
  const inputs = { index: result.index, version: result.version, config, now };
  const { store, app } = exportApp(inputs);
  const started = performance.now();
  const urls = await everyStaticUrl(
    store,
    config,
    SITE_ASSETS.map((asset) => asset.path),
  );
  const encoder = new TextEncoder();
  const files = [
    ...urls.map(({ url, inputs }) => appFile(app, config.publicUrl!, url, inputs)),
    {
      file: "_headers",
      inputs: [],
      render: async () =>
        encoder.encode(
          await headersFile(
            app,
            { publicUrl: config.publicUrl!, basePath: config.basePath },
            { page: "/", feed: "/feed.rss", embed: "/embed/" },
            values.headers as HeadersHost,
          ),
        ),
    },
    {
      // Other tools' feed URLs, for the hosts that read _redirects (Cloudflare Pages, Netlify).
      file: "_redirects",
      inputs: [],
      render: async () => encoder.encode(redirectsFile(config.basePath)),
    },
    {
      // What a browser is shown for a missing address: static hosts serve 404.html for every missing file.
      file: "404.html",
      inputs: [],
      async render() {
        const notFound = await app.request(`${config.publicUrl}/404.html`, {
          headers: { Accept: "text/html" },
        });
        if (notFound.status !== 404)
          throw new Error(`/404.html: the app answered ${notFound.status}, not its not-found page`);
        return new Uint8Array(await notFound.arrayBuffer());
      },
    },
  ];
  const summary = await exportSite({
    files,
    out: values.out,
    record:
      cacheDir &&
      join(
        cacheDir,
        `export-${createHash("sha1").update(resolve(values.out)).digest("hex").slice(0, 16)}.json`,
      ),
    salt: exportSalt(config, values.headers),
    fingerprints: result.articleHashes,
    helper: thread && (() => thread.helper({ ...inputs, out: values.out })),
    onProgress: progress(),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `feedloom export: ${values.out}: ${summary.files} files: ${summary.rendered} rendered (${(summary.bytes / 1024 / 1024).toFixed(1)} MB), ${summary.written} written, ${summary.unchanged} unchanged, ${summary.removed} removed, in ${seconds} s on ${summary.threads} thread${summary.threads === 1 ? "" : "s"}`,
  );
  // The first page of each feed whose file changed, digests included (a run after a day closes changes them): what WebSub hubs hear about.
  const changedFeeds = summary.writtenUrls.filter((url) =>
    /^(?:\/(?:topics|providers)\/[^/]+)?\/(?:feed|digest\/(?:daily|weekly))\.(?:rss|atom|json)$/.test(
      url,
    ),
  );
  await announceFeedPaths(config, changedFeeds, "feedloom export");
  // A static site cannot publish on its own: it needs an export at (or after) each due time.
  const next = result.scheduled[0];
  if (next)
    console.log(
      `feedloom export: next scheduled article due ${next.published} (${result.scheduled.length} scheduled): export again then to publish it`,
    );
  return 0;
}

/**
 * Whether a second thread may render (FEEDLOOM_EXPORT_THREADS: 2, or 1 for one thread; unset, when
 * the machine has a second core). It holds its own copy of the index, so it costs memory.
 */
function helperThreads(env: Env): boolean {
  const value = env.FEEDLOOM_EXPORT_THREADS?.trim();
  if (value === undefined || value === "") return availableParallelism() > 1;
  if (value !== "1" && value !== "2")
    throw new UsageError(
      `FEEDLOOM_EXPORT_THREADS must be 1 or 2 (threads that render), not ${JSON.stringify(value)}`,
    );
  return value === "2";
}

/** `_redirects`: each moved-feed URL of the scheme, a 301 to our feed (`:key` is a placeholder on both hosts). */
function redirectsFile(basePath: string): string {
  return [
    "# Written by feedloom export: other tools' feed URLs, moved here for good.",
    ...movedFeedRedirects().map(({ from, to }) => `${basePath}${from} ${basePath}${to} 301`),
    "",
  ].join("\n");
}
