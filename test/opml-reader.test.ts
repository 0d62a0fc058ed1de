/**
 * OPML as a real feed reader imports it: Debian's newsboat (`newsboat -i`),
 * then every imported URL answers 200 and parses as a feed. Skipped, saying
 * so, where newsboat is not installed (.ci/run installs it).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { checkFeed } from "../src/feeds/check.js";
import { serveApp } from "./browser.js";
import { PROCESS_TEST_TIMEOUT, fixtureApp } from "./helpers.js";

const NEWSBOAT = "/usr/bin/newsboat";
// newsboat's cache is SQLite: its items per feed are read with Debian's sqlite3.
const SQLITE = "/usr/bin/sqlite3";
const hasNewsboat = existsSync(NEWSBOAT) && existsSync(SQLITE);
if (!hasNewsboat)
  console.warn(
    "OPML reader test skipped: no newsboat or sqlite3 in /usr/bin (apt-get install newsboat sqlite3)",
  );
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "feedloom-newsboat-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// In CI (CI=true) the test runs regardless, so that a missing install fails loudly instead of skipping.
describe.skipIf(!hasNewsboat && !process.env.CI)(
  "OPML imported by newsboat",
  { timeout: PROCESS_TEST_TIMEOUT },
  () => {
    it.each(["", "?format=atom", "?format=json"])(
      "/feeds.opml%s: every feed imported, in its folder, and every URL a feed that parses",
      async (query) => {
        const { app, index } = await fixtureApp();
        const server = await serveApp(app);
        try {
          const format = query.includes("atom") ? "atom" : query.includes("json") ? "json" : "rss";
          const opml = join(work, `feeds-${format}.opml`);
          const urls = join(work, `urls-${format}`);
          writeFileSync(opml, await (await fetch(`${server.origin}/feeds.opml${query}`)).text());
          const { stdout } = await run(
            NEWSBOAT,
            ["-u", urls, "-c", join(work, `cache-${format}.db`), "-i", opml],
            { env: { ...process.env, HOME: work } },
          );
          expect(stdout).toMatch(/Import of .* finished/);
          const lines = readFileSync(urls, "utf8").trim().split("\n");
          expect(lines).toHaveLength(1 + index.topics.size + index.providers.size);
          expect(lines.filter((line) => line.endsWith(' "Topics"'))).toHaveLength(
            index.topics.size,
          );
          expect(lines.filter((line) => line.endsWith(' "Providers"'))).toHaveLength(
            index.providers.size,
          );
          for (const url of lines.map((line) => line.split(" ")[0])) {
            const response = await fetch(url);
            expect(response.status, url).toBe(200);
            expect(checkFeed(format, await response.text()).problems, url).toEqual([]);
          }
        } finally {
          await server.close();
        }
      },
    );

    it.each(["", "?format=atom"])(
      "/feeds.opml%s, imported then reloaded: every feed holds every one of its articles (newsboat keeps one copy of an id across feeds)",
      async (query) => {
        const { app, index } = await fixtureApp();
        const server = await serveApp(app);
        try {
          const format = query ? "atom" : "rss";
          const [opml, urls, cache] = ["feeds.opml", "urls", "cache.db"].map((name) =>
            join(work, `reload-${format}-${name}`),
          );
          writeFileSync(opml, await (await fetch(`${server.origin}/feeds.opml${query}`)).text());
          const env = { ...process.env, HOME: work };
          await run(NEWSBOAT, ["-u", urls, "-c", cache, "-i", opml], { env });
          await run(NEWSBOAT, ["-u", urls, "-c", cache, "-x", "reload"], { env });
          const { stdout } = await run(SQLITE, [
            "-separator",
            " ",
            cache,
            "SELECT feedurl, COUNT(*) FROM rss_item GROUP BY feedurl",
          ]);
          const held = new Map(
            stdout
              .trim()
              .split("\n")
              .map((line) => [new URL(line.split(" ")[0]).pathname, Number(line.split(" ")[1])]),
          );
          const expected = new Map<string, number>([[`/feed.${format}`, index.articles.length]]);
          for (const [key, group] of index.topics)
            expected.set(
              `/topics/${encodeURIComponent(key)}/feed.${format}`,
              group.articles.length,
            );
          for (const [key, group] of index.providers)
            expected.set(
              `/providers/${encodeURIComponent(key)}/feed.${format}`,
              group.articles.length,
            );
          expect(Object.fromEntries(held)).toEqual(Object.fromEntries(expected));
        } finally {
          await server.close();
        }
      },
    );
  },
);
