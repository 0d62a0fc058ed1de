/**
 * `feedloom check [DIR]`: renders every feed of a data folder (the main
 * feed, each topic and each provider, in every format and page) through
 * the app, and checks each with a strict XML parser and a feed parser.
 * Exits 1 when any feed has a problem.
 */
import { loadConfig } from "../config.js";
import { pageCount } from "../scheme/paging.js";
import { FORMAT_NAMES, FORMATS, feedPath } from "../scheme/paths.js";
import { checkFeed } from "../feeds/check.js";
import { createApp } from "../http/app.js";
import { createMemoryStore } from "../index/store.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { publishingTime } from "../runtime/clock.js";
import { BASE_URL, type Command, type Env, dataDir } from "./command.js";

export const check: Command = {
  name: "check",
  summary:
    "Renders every feed of DIR (default: data) in every format and page, and checks each with a strict XML parser and a feed parser.",
  args: "[DIR]",
  maxArgs: 1,
  options: { ...BASE_URL },
  details: "Exits 1 when any feed has a problem.",
  run: ({ args, env }) => checkFeeds(dataDir(args, env), env),
};

async function checkFeeds(dir: string, env: Env): Promise<number> {
  const config = loadConfig(env);
  const result = await loadIndexFromDir(dir, {
    includeUnpublished: config.includeUnpublished,
    now: Date.now(),
    showScheduled: config.includeUnpublished,
    cacheDir: defaultCacheDir(env),
  });
  console.log(summaryLine(result, dir));
  const { index } = result;
  const app = createApp({
    store: createMemoryStore(index, "check", publishingTime(config)),
    config,
  });
  const feedsToCheck = [
    { path: feedPath({ kind: "all" }), articles: index.articles.length },
    ...[...index.topics.values()].map((group) => ({
      path: feedPath({ kind: "topic", key: group.key }),
      articles: group.articles.length,
    })),
    ...[...index.providers.values()].map((group) => ({
      path: feedPath({ kind: "provider", key: group.key }),
      articles: group.articles.length,
    })),
  ];

  let feeds = 0;
  let items = 0;
  let failed = 0;
  for (const { path, articles } of feedsToCheck) {
    const pages = pageCount(articles, config.defaultLimit);
    for (const format of FORMAT_NAMES) {
      for (let page = 1; page <= pages; page++) {
        const url = `${config.publicUrl ?? "http://127.0.0.1"}${path}${page > 1 ? `/page/${page}` : ""}.${FORMATS[format].extension}`;
        const response = await app.request(url);
        const body = await response.text();
        const check =
          response.status === 200
            ? checkFeed(format, body)
            : { items: 0, problems: [`status ${response.status}: ${body.trim()}`] };
        if (response.headers.get("content-type") !== FORMATS[format].contentType)
          check.problems.push(`content type ${response.headers.get("content-type")}`);
        feeds++;
        items += check.items;
        if (check.problems.length > 0) {
          failed++;
          for (const problem of check.problems) console.log(`${url}: ${problem}`);
        }
      }
    }
  }
  console.log(
    `checked ${feeds} feeds (${items} items): ${failed === 0 ? "all passed" : `${failed} with problems`}`,
  );
  return failed === 0 ? 0 : 1;
}
