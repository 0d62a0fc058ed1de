/**
 * `npm run publish:d1` against a real local D1 (wrangler's, in a folder of its
 * own), with a local WebSub hub that records what it is told.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { d1Query } from "../src/publish/wrangler-d1.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT, recordingHub, runCli } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-publish-test-"));
const data = join(work, "data");
const state = join(work, "state");
const config = join(work, "wrangler.toml");
const target = { database: "DB", remote: false, config, persistTo: state };

const hub = recordingHub();
const publish = (...args: string[]) =>
  runCli(
    "publish",
    ["--local", "--config", config, "--persist-to", state, "--data", data, ...args],
    {
      WEBSUB_HUBS: hub.url(),
      PUBLIC_URL: "https://feeds.example.com",
    },
  );
const articleCount = async () =>
  Number((await d1Query(target, "SELECT COUNT(*) AS n FROM articles"))[0][0].n);
const version = async () =>
  String((await d1Query(target, "SELECT value FROM meta WHERE key = 'version'"))[0][0]?.value);
const told = () => hub.posts.splice(0).flat().sort();

/** Ranks in every scope run 1..n from the oldest, in feed order: what makes a page a range of ranks. */
async function expectContiguousRanks() {
  const [all, providers, topics] = await d1Query(
    target,
    [
      "SELECT rank FROM articles ORDER BY published DESC, id",
      "SELECT provider_key AS scope, provider_rank AS rank FROM articles ORDER BY provider_key, published DESC, id",
      "SELECT topic_key AS scope, rank FROM article_topics ORDER BY topic_key, published DESC, article_id",
    ].join("; "),
  );
  expect(all.map((row) => row.rank)).toEqual(all.map((_, i) => all.length - i));
  for (const rows of [providers, topics]) {
    const byScope = new Map<string, unknown[]>();
    for (const row of rows)
      byScope.set(String(row.scope), [...(byScope.get(String(row.scope)) ?? []), row.rank]);
    for (const ranks of byScope.values())
      expect(ranks).toEqual(ranks.map((_, i) => ranks.length - i));
  }
}

beforeAll(async () => {
  hub.server.listen(0, "127.0.0.1");
  await once(hub.server, "listening");
  cpSync(FIXTURES, data, { recursive: true });
  writeFileSync(
    config,
    [
      'name = "feedloom-publish-test"',
      'compatibility_date = "2026-04-26"',
      "[[d1_databases]]",
      'binding = "DB"',
      'database_name = "feedloom"',
      'database_id = "00000000-0000-0000-0000-000000000000"',
      `migrations_dir = ${JSON.stringify(resolve("migrations"))}`,
    ].join("\n"),
  );
}, PROCESS_TEST_TIMEOUT);
afterAll(() => {
  hub.server.close();
  rmSync(work, { recursive: true, force: true });
});

describe("npm run publish:d1", { timeout: 2 * PROCESS_TEST_TIMEOUT }, () => {
  it("passes on what wrangler said went wrong, whole", async () => {
    await expect(d1Query({ ...target, database: "NOPE" }, "SELECT 1")).rejects.toThrow(
      /^wrangler d1 execute failed: Couldn't find a D1 DB with the name or binding 'NOPE' in your wrangler\.toml file\.$/,
    );
  });

  it("says how to create the tables when the database has none", async () => {
    const failure = await publish().catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(
      /has no feedloom tables yet: run npm run migrate:d1 -- --local \(npx wrangler d1 migrations apply DB --local\) first/,
    );
  });

  it("first sync: writes every published article once, and tells the hub about every feed", async () => {
    const { execFile } = await import("node:child_process");
    await new Promise<void>((done, fail) =>
      execFile(
        "node_modules/.bin/wrangler",
        ["d1", "migrations", "apply", "DB", "--local", "--config", config, "--persist-to", state],
        (error) => (error ? fail(error) : done()),
      ),
    );
    const { stdout } = await publish();
    expect(stdout).toMatch(
      /local D1 database DB: 7 added, 0 changed, 0 removed, 0 unchanged; \d+ rows written/,
    );
    expect(await articleCount()).toBe(7);
    await expectContiguousRanks();
    const urls = told();
    expect(urls).toContain("https://feeds.example.com/feed.rss");
    expect(urls).toContain("https://feeds.example.com/topics/ai/feed.atom");
    expect(urls).toContain("https://feeds.example.com/providers/example-wire.com/feed.json");
    expect(urls.length % 3).toBe(0);
  });

  it("one article added: a handful of rows, and only the feeds it is in", async () => {
    const before = await version();
    writeFileSync(
      join(data, "2024-01-01-new.md"),
      '---\ntitle: "A new article"\npublishedDateTime: 2024-01-01T08:00:00Z\nwebUrl: "https://new.example.com/a"\nprovider:\n  name: New Example\n  domain: new.example.com\ntopics:\n  - AI Hardware\n---\n',
    );
    const { stdout } = await publish();
    expect(stdout).toMatch(/1 added, 0 changed, 0 removed, 7 unchanged; (\d+) rows written/);
    const rows = Number(/; (\d+) rows written/.exec(stdout)![1]);
    expect(rows).toBeLessThanOrEqual(10);
    expect(await articleCount()).toBe(8);
    expect(await version()).not.toBe(before);
    await expectContiguousRanks();
    const feeds = ["/feed", "/topics/ai-hardware/feed", "/providers/new.example.com/feed"];
    expect(told()).toEqual(
      feeds
        .flatMap((path) =>
          ["rss", "atom", "json"].map((format) => `https://feeds.example.com${path}.${format}`),
        )
        .sort(),
    );
  });

  it("one article changed: rewritten, and its feeds announced", async () => {
    const file = join(data, "2024-01-01-new.md");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("A new article", "A new article, edited"),
    );
    const { stdout } = await publish();
    expect(stdout).toMatch(/0 added, 1 changed, 0 removed, 7 unchanged/);
    const [edited, links] = await d1Query(
      target,
      "SELECT data FROM articles WHERE data LIKE '%edited%'; SELECT topic_key FROM article_topics WHERE article_id = (SELECT id FROM articles WHERE data LIKE '%edited%')",
    );
    expect(edited).toHaveLength(1);
    expect(links).toEqual([{ topic_key: "ai-hardware" }]); // its old links deleted before its new ones were written
    expect(told()).toContain("https://feeds.example.com/providers/new.example.com/feed.rss");
  });

  it("one article removed: deleted with its topic links and its emptied groups", async () => {
    unlinkSync(join(data, "2024-01-01-new.md"));
    const { stdout } = await publish();
    expect(stdout).toMatch(/0 added, 0 changed, 1 removed, 7 unchanged/);
    expect(await articleCount()).toBe(7);
    const [links, groups] = await d1Query(
      target,
      "SELECT COUNT(*) AS n FROM article_topics WHERE article_id NOT IN (SELECT id FROM articles); SELECT key FROM groups WHERE key = 'new.example.com'",
    );
    expect(links[0].n).toBe(0);
    expect(groups).toEqual([]);
    await expectContiguousRanks();
    expect(told()).toContain("https://feeds.example.com/feed.json");
  });

  it("nothing changed: writes nothing and tells no hub", async () => {
    const { stdout } = await publish();
    expect(stdout).toMatch(
      /is up to date \(0 added, 0 changed, 0 removed, 7 unchanged\); nothing written/,
    );
    expect(told()).toEqual([]);
  });

  it("removing the oldest article moves every other one down a rank, and says so", async () => {
    const oldest = join(data, "2019-12-20-archive-style-unquoted-urls.md");
    const kept = readFileSync(oldest, "utf8");
    unlinkSync(oldest);
    const { stdout } = await publish();
    expect(stdout).toMatch(
      /0 added, 0 changed, 1 removed, 6 unchanged; \d+ rows written; content version \S+; [1-6] unchanged articles rewritten for their new positions/,
    );
    await expectContiguousRanks();
    writeFileSync(oldest, kept);
    expect((await publish()).stdout).toMatch(/1 added, 0 changed, 0 removed, 6 unchanged/);
    await expectContiguousRanks();
    told();
  });

  it("refuses to publish when a file is invalid, since that article would be deleted", async () => {
    writeFileSync(join(data, "2024-02-02-broken.md"), "---\ntitle: Broken\n---\n");
    const failure = await publish().catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/1 file\(s\) above are invalid; nothing was published/);
    unlinkSync(join(data, "2024-02-02-broken.md"));
  });

  it("reports a hub that fails, retried, and still succeeds", async () => {
    hub.failWith(503);
    writeFileSync(
      join(data, "2024-03-03-another.md"),
      '---\ntitle: "Another"\npublishedDateTime: 2024-03-03T08:00:00Z\nwebUrl: "https://new.example.com/b"\nprovider:\n  name: New Example\n  domain: new.example.com\n---\n',
    );
    const { stdout, stderr } = await publish();
    expect(stdout).toMatch(/1 added/);
    expect(stderr).toMatch(
      /hub http:\/\/127\.0\.0\.1:\d+\/hub did not take 6 feed URLs after 3 attempts: 503 hub is having a bad day \(the publish itself succeeded\)/,
    );
    expect(hub.posts).toHaveLength(3);
    hub.failWith(204);
    told();
  });
});
