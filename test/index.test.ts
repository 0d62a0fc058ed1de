import { describe, expect, it } from "vitest";
import { formatIssue } from "../src/content/report.js";
import { buildIndex } from "../src/index/index.js";
import { closestKeys } from "../src/index/query.js";
import { loadFixtureFiles } from "./helpers.js";

const articles = async () =>
  (await loadFixtureFiles()).flatMap((file) => (file.article ? [file.article] : []));

describe("the index", () => {
  it("orders newest first, breaking ties by id, whatever the file order", async () => {
    const all = await articles();
    const forward = buildIndex(all).articles.map((article) => article.file);
    const backward = buildIndex([...all].reverse()).articles.map((article) => article.file);
    expect(forward).toEqual(backward);
    const dates = buildIndex(all).articles.map((article) => article.published);
    expect(dates).toEqual([...dates].sort().reverse());
    const tied = buildIndex(all).articles.filter(
      (article) => article.published === "2022-10-18T13:05:00Z",
    );
    expect(tied).toHaveLength(2);
    expect(tied[0].id < tied[1].id).toBe(true);
  });

  it("leaves out drafts unless the preview switch is on", async () => {
    const all = await articles();
    expect(buildIndex(all).articles.map((article) => article.file)).not.toContain(
      "2019-12-27-draft-unpublished.md",
    );
    expect(
      buildIndex(all, { includeUnpublished: true }).articles.map((article) => article.file),
    ).toContain("2019-12-27-draft-unpublished.md");
  });

  it("publishes an article that appears under two dates once, from its first publication, and reports the copy", async () => {
    const index = buildIndex(await articles());
    const copies = index.articles.filter(
      (article) => article.title === "Google Cloud Team Releases AutoML Natural Language",
    );
    expect(copies.map((article) => article.file)).toEqual(["2019-12-24-duplicate-first.md"]);
    expect(index.issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^2019-12-25-duplicate-second\.md: webUrl: same article as 2019-12-24-duplicate-first\.md .* \(warning\)$/,
      ),
    ]);
  });

  it("groups topics whose names key alike, named by their most used spelling", async () => {
    const index = buildIndex(await articles());
    expect([...index.topics.keys()]).toEqual([
      "ai",
      "ai-hardware",
      "ai-in-marketing",
      "ai-in-robotics",
      "aws-ai",
      "computer-vision",
      "google-ai",
      "r-d-lab",
    ]);
    expect(index.topics.get("ai-hardware")?.articles.map((article) => article.file)).toEqual([
      expect.stringMatching(/^2022-10-18-/),
      expect.stringMatching(/^2022-10-18-/),
    ]);
    expect(index.providers.get("acrofan.com")?.name).toBe("아크로팬");
    expect(index.providers.get("openpr.com")?.articles).toHaveLength(1);
  });
});

describe("close matches for unknown keys", () => {
  it("puts near spellings and containing keys first", () => {
    expect(
      closestKeys("ai-hardwre", ["ai", "ai-hardware", "google-ai", "tensorflow"]).slice(0, 2),
    ).toEqual(["ai-hardware", "ai"]);
    expect(closestKeys("zdnet", ["forbes.com", "zdnet.com"])[0]).toBe("zdnet.com");
  });
});
