/**
 * Bad input gets a clear report and nothing is lost that can be kept: the
 * edge cases of test/fixtures/edge-cases, read as a data folder is read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { topicKey } from "../src/content/keys.js";
import { formatIssue } from "../src/content/report.js";
import { checkFeed } from "../src/feeds/check.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { DataDirError } from "../src/sources/fs-source.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { PROCESS_TEST_TIMEOUT, runCli, TEST_NOW } from "./helpers.js";

const EDGE_CASES = fileURLToPath(new URL("./fixtures/edge-cases/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "feedloom-input-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the edge-case folder", async () => {
  const result = await loadIndexFromDir(EDGE_CASES, { includeUnpublished: false, now: TEST_NOW });
  const report = result.issues.map(formatIssue);
  const article = (file: string) => result.index.articles.find((item) => item.file === file);

  it("refuses an impossible date instead of rolling it over", () => {
    expect(report).toContain(
      '2021-01-07-impossible-date.md: publishedDateTime: must be a date and time such as 2022-06-30T23:48:00Z, got "2021-13-45T25:61:00Z"',
    );
    expect(result.index.articles.map((item) => item.published)).not.toContain(
      "2022-02-15T02:01:00Z",
    );
  });

  it("names an empty file and a binary file for what they are", () => {
    expect(report).toContain("2021-01-08-empty.md: file: the file is empty");
    expect(report).toContain("2021-01-09-binary.md: file: is not a text file (it holds NUL bytes)");
  });

  it("reports every problem of a file in one pass", () => {
    const problems = report.filter((line) => line.startsWith("2021-01-10-many-problems.md"));
    expect(problems).toEqual([
      "2021-01-10-many-problems.md: title: is missing",
      expect.stringMatching(
        /^2021-01-10-many-problems\.md: publishedDateTime: must be a date and time .* got "next tuesday"$/,
      ),
      expect.stringMatching(
        /^2021-01-10-many-problems\.md: webUrl: must be an absolute http\(s\) URL, got "javascript:alert\(1\)"$/,
      ),
    ]);
  });

  it("keeps a Latin-1 file, read as Windows-1252, with a warning naming the line", () => {
    expect(article("2022-03-01-latin-1.md")?.title).toBe("Café société: l'été à Genève");
    expect(report).toContain(
      "2022-03-01-latin-1.md: file: is not valid UTF-8 (first bad byte on line 2); it was read as Windows-1252: save it as UTF-8 (warning)",
    );
  });

  it("keeps an article whose excerpt is too long, cut at a word boundary, with a warning", () => {
    const summary = article("2022-03-02-long-excerpt.md")!.summary;
    expect(summary.length).toBeLessThanOrEqual(10_000);
    expect(summary).toMatch(/ word\d+…$/);
    expect(report).toContainEqual(
      expect.stringMatching(
        /^2022-03-02-long-excerpt\.md: excerpt: is \d+ characters long; it was cut at a word boundary to at most 10000 \(warning\)$/,
      ),
    );
  });

  it("drops control characters and lone surrogates from every text, keeping the rest", () => {
    const { title, summary } = article("2022-03-03-control-characters.md")!;
    expect(title).toBe("Bell, DEL, C1 and a lone  surrogate");
    expect(summary).toBe("NUL  and escape  in the excerpt");
  });

  it("lists an article dated in the future as scheduled, not as a problem, and keeps it out of every feed until its time", async () => {
    expect(report.filter((line) => line.includes("9999-12-31-far-future.md"))).toEqual([]);
    expect(result.scheduled.map((item) => item.file)).toEqual(["9999-12-31-far-future.md"]);
    const config = loadConfig({});
    const ids = async (now: number, showScheduled = false) => {
      const app = createApp({
        store: createMemoryStore(result.index, "test", { now: () => now, showScheduled }),
        config,
      });
      return (
        JSON.parse(await (await app.request("/feed.json")).text()) as { items: { url: string }[] }
      ).items.map((item) => item.url);
    };
    const far = article("9999-12-31-far-future.md")!.url;
    expect(await ids(TEST_NOW)).not.toContain(far);
    expect(await ids(Date.parse("9999-12-31T00:00:00Z"))).toContain(far);
    expect(await ids(TEST_NOW, true)).toContain(far);
  });

  it("reads .markdown and .MD files too", () => {
    expect(article("2022-03-08-markdown-extension.markdown")?.title).toBe("A .markdown file");
    expect(article("2022-03-09-upper-case-extension.MD")?.title).toBe("An .MD file");
  });

  it("keeps letters with their combining marks, one topic for NFC and NFD spellings", () => {
    expect(topicKey("हिन्दी")).toBe("हिन्दी");
    expect(result.index.topics.get("हिन्दी")?.articles).toHaveLength(1);
    expect(
      result.index.topics
        .get("café")
        ?.articles.map((item) => item.file)
        .sort(),
    ).toEqual(["2022-03-06-hindi.md", "2022-03-07-decomposed.md"]);
    expect(report.filter((line) => /Café/.test(line))).toEqual([]);
  });

  it("never merges different topics without a report", () => {
    expect(report).toContainEqual(
      expect.stringMatching(
        /^2022-03-0[45]-.*\.md: topics: "(C#|C\+\+)" has the same key as "(C#|C\+\+)" \("c"\), so both are published as one topic, "(C#|C\+\+)"; rename one/,
      ),
    );
  });

  it("publishes feeds that pass every check, whatever the files held", async () => {
    const app = createApp({
      store: createMemoryStore(result.index, "test", { now: () => TEST_NOW }),
      config: loadConfig({}),
    });
    for (const path of [
      "/feed.rss",
      "/feed.atom",
      "/feed.json",
      "/topics/c/feed.rss",
      "/topics/%E0%A4%B9%E0%A4%BF%E0%A4%A8%E0%A5%8D%E0%A4%A6%E0%A5%80/feed.atom",
    ]) {
      const response = await app.request(`http://localhost${path}`);
      expect(response.status, path).toBe(200);
      const body = await response.text();
      expect(
        checkFeed(path.endsWith(".json") ? "json" : path.endsWith(".rss") ? "rss" : "atom", body)
          .problems,
        path,
      ).toEqual([]);
      expect(body, path).not.toMatch(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]|\\u0000|\\ud800/i);
    }
  });
});

describe("a data folder with nothing to publish", () => {
  it("is an error that says what to do, not a silent start with 0 articles", async () => {
    const empty = join(work, "empty");
    mkdirSync(empty);
    writeFileSync(join(empty, "notes.txt"), "not an article");
    await expect(
      loadIndexFromDir(empty, { includeUnpublished: false, now: TEST_NOW }),
    ).rejects.toThrow(DataDirError);
    await expect(
      loadIndexFromDir(empty, { includeUnpublished: false, now: TEST_NOW }),
    ).rejects.toThrow(
      /has no article files \(\*\.md or \*\.markdown\): add articles, or set DATA_DIR/,
    );
  });

  it("makes validate exit 2 with that one line", { timeout: PROCESS_TEST_TIMEOUT }, async () => {
    const failure = await runCli("validate", [join(work, "empty")]).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(
      /^feedloom validate: the data folder ".*empty" has no article files/,
    );
    expect(failure.stderr.trim().split("\n")).toHaveLength(1);
  });
});
