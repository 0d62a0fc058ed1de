/**
 * The feed URLs of the tools people move from (WordPress, Hugo, Jekyll, and
 * the common rss.xml and atom.xml) answer with a 301 to ours, live and, for
 * static hosts that read it, in the export's `_redirects`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, fixtureApp, runCli, PROCESS_TEST_TIMEOUT } from "./helpers.js";

const out = mkdtempSync(join(tmpdir(), "feedloom-moved-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const MOVES = [
  ["/feed/", "/feed.rss"],
  ["/index.xml", "/feed.rss"],
  ["/rss.xml", "/feed.rss"],
  ["/feed.xml", "/feed.atom"],
  ["/atom.xml", "/feed.atom"],
  ["/topics/ai/index.xml", "/topics/ai/feed.rss"],
  ["/topics/ai/feed/", "/topics/ai/feed.rss"],
  ["/providers/acrofan.com/atom.xml", "/providers/acrofan.com/feed.atom"],
];

describe("moved feed URLs", () => {
  it.each(MOVES)("%s answers 301 to %s, which answers 200", async (from, to) => {
    const { app } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.com/news" });
    const moved = await app.request(`https://feeds.example.com/news${from}`);
    expect([moved.status, moved.headers.get("location")]).toEqual([301, `/news${to}`]);
    expect((await app.request(`https://feeds.example.com/news${to}`)).status).toBe(200);
  });

  it(
    "are in the export's _redirects, under the site's path, with the scheme's placeholders",
    async () => {
      const exported = await runCli("export", ["--data", FIXTURES, "--out", out], {
        PUBLIC_URL: "https://you.github.io/news",
      });
      expect(exported.stderr).toBe("");
      const lines = readFileSync(join(out, "_redirects"), "utf8").split("\n");
      expect(lines).toContain("/news/feed/ /news/feed.rss 301");
      expect(lines).toContain("/news/topics/:key/index.xml /news/topics/:key/feed.rss 301");
      expect(lines).toContain("/news/providers/:key/feed.xml /news/providers/:key/feed.atom 301");
      expect(lines.filter((line) => line.endsWith(" 301"))).toHaveLength(15);
    },
    PROCESS_TEST_TIMEOUT,
  );
});
