import { describe, expect, it } from "vitest";
import { providerKey, topicKey } from "../src/content/keys.js";
import { parseArticleFile } from "../src/content/parse.js";
import { formatIssue } from "../src/content/report.js";
import { normaliseDateTime } from "../src/content/dates.js";
import { readArticleDir } from "../src/sources/fs-source.js";
import { BROKEN, FIXTURES } from "./helpers.js";

const byFile = async (dir: string) =>
  new Map((await readArticleDir(dir)).map((parsed) => [parsed.file, parsed]));

describe("topic and provider keys", () => {
  it("lowercases, turns each run of other characters into one hyphen, and trims", () => {
    expect(topicKey("AI Hardware")).toBe("ai-hardware");
    expect(topicKey("  AI -- in   Autos!! ")).toBe("ai-in-autos");
    expect(topicKey("Natural Language Processing")).toBe("natural-language-processing");
  });
  it("keeps letters of every script", () => {
    expect(topicKey("아크로팬 뉴스")).toBe("아크로팬-뉴스");
    expect(topicKey("الشرق الأوسط")).toBe("الشرق-الأوسط");
    expect(topicKey("Café Ünïcode")).toBe("café-ünïcode");
  });
  it("uses the lowercased domain for providers", () => {
    expect(providerKey(" ZDNet.com ")).toBe("zdnet.com");
  });
});

describe("parsing the real variety of article files", () => {
  it("reads archive-style files: unquoted URLs with &#038;, relative logos, escaped quotes", async () => {
    const parsed = (await byFile(FIXTURES)).get("2019-12-20-archive-style-unquoted-urls.md")!;
    expect(parsed.issues).toEqual([]);
    const article = parsed.article!;
    expect(article.url).toBe("https://example-news.com/2019/12/20/image-recognition/?w=600&h=600");
    expect(article.image?.url).toBe("https://cdn.example-news.com/thumb.jpg?fit=1200%2C628&ssl=1");
    expect(article.summary).toBe('"IBM is focused on" the market’s growth — a report says...');
    expect(article.provider).toEqual({
      name: "openpr.com",
      domain: "openpr.com",
      logo: { url: "/assets/images/organizations/openpr.com-50x50.jpg", width: 50, height: 50 },
    });
    expect(article.published).toBe("2019-12-20T00:00:00Z");
    expect(article.topics).toEqual(["AI", "Computer Vision"]);
  });

  it("never keeps the secured blob or metadata the feeds do not use", async () => {
    const article = (await byFile(FIXTURES)).get(
      "2019-12-20-archive-style-unquoted-urls.md",
    )!.article!;
    const serialised = JSON.stringify(article);
    expect(serialised).not.toContain("c2VjcmV0");
    expect(Object.keys(article)).not.toContain("secured");
    expect(serialised).not.toMatch(/"category"|"ampWebUrl"|"type"/);
  });

  it("keeps heat and quality as numbers for ranking: -1 heat is none, and anything else is a warning, never a lost article", () => {
    const parse = (fields: string) =>
      parseArticleFile(
        "signals.md",
        `---
title: T
publishedDateTime: 2020-01-01T00:00:00Z
webUrl: https://p.com/
provider: {name: P, domain: p.com}
${fields}---
`,
      );
    expect(parse("quality: 89\nheat: 129\n").article).toMatchObject({ quality: 89, heat: 129 });
    expect(parse("quality: 0\nheat: 0\n").article).toMatchObject({ quality: 0, heat: 0 });
    const neverRanked = parse("quality: 54\nheat: -1\n").article!;
    expect(neverRanked.quality).toBe(54);
    expect("heat" in neverRanked).toBe(false);
    const none = parse("");
    expect("heat" in none.article! || "quality" in none.article!).toBe(false);
    expect(none.issues).toEqual([]);
    const bad = parse('quality: "high"\nheat: [1, 2]\n');
    expect(bad.article).toBeDefined();
    expect("heat" in bad.article! || "quality" in bad.article!).toBe(false);
    expect(bad.issues.map(formatIssue)).toEqual([
      "signals.md: heat: must be a number, got [1,2]; the article ranks as if it had none (warning)",
      'signals.md: quality: must be a number, got "high"; the article ranks as if it had none (warning)',
    ]);
  });

  it("drops a bad related entry or image with a warning and keeps the article", async () => {
    const files = await byFile(FIXTURES);
    const related = files.get("2022-10-18-modern-style-with-related.md")!;
    expect(related.article?.related.map((item) => item.url)).toEqual([
      "https://other.example.org/oracle-nvidia",
      "https://apnews.com/Wired%20Release/20e8c5c9",
    ]);
    expect(related.issues.map(formatIssue)).toEqual([
      expect.stringMatching(
        /^2022-10-18-modern-style-with-related\.md: related\[2\]\.webUrl: must be an absolute http\(s\) URL.*javascript:alert\(1\).*left out \(warning\)$/,
      ),
    ]);
    const fallback = files.get("2023-08-15-weburl-bad-original-good.md")!;
    expect(fallback.article?.url).toBe("https://www.example-cx.com/ai-customer-communication");
    expect(fallback.article?.published).toBe("2023-08-15T19:31:24Z");
    expect(fallback.article?.image).toBeUndefined();
    expect(fallback.issues.map((issue) => [issue.field, issue.severity])).toEqual([
      ["webUrl", "warning"],
      ["images[0].url", "warning"],
    ]);
  });

  it("keeps non-Latin provider names", async () => {
    const article = (await byFile(FIXTURES)).get(
      "2021-03-04-recrawled-style-no-quality.md",
    )!.article!;
    expect(article.provider.name).toBe("아크로팬");
    expect(article.isPublished).toBe(true);
  });

  it("gives an id that depends only on the canonical URL, not the file, date or fragment", () => {
    const file = (date: string, url: string) =>
      parseArticleFile(
        "x.md",
        `---\ntitle: T\npublishedDateTime: ${date}\nwebUrl: "${url}"\nprovider: {name: P, domain: p.com}\n---\n`,
      ).article!.id;
    const id = file("2020-01-01T00:00:00Z", "https://p.com/a");
    expect(id).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(file("2021-05-05T10:00:00Z", "https://p.com/a#top")).toBe(id);
    expect(file("2020-01-01T00:00:00Z", "https://p.com/b")).not.toBe(id);
  });
});

describe("broken files are reported as file: field: reason", () => {
  it("names the file, the field and the reason for each broken file", async () => {
    const reports = (await readArticleDir(BROKEN)).flatMap((parsed) =>
      parsed.issues.map(formatIssue),
    );
    expect(reports).toEqual([
      "2021-01-01-missing-title.md: title: is missing",
      '2021-01-02-bad-date.md: publishedDateTime: must be a date and time such as 2022-06-30T23:48:00Z, got "yesterday at noon"',
      '2021-01-03-hostile-url.md: webUrl: must be an absolute http(s) URL, got "javascript:alert(document.cookie)"',
      "2021-01-04-javascript-front-matter.md: front matter: cannot be read: JavaScript front matter is not allowed",
      // Named where the quote opens (line 2), not where the parser gave up (line 4).
      "2021-01-05-broken-yaml.md: front matter: cannot be read: line 2: a quoted value opens there and is not closed on that line",
      "2021-01-06-provider-without-domain.md: provider.domain: is missing",
      "2021-01-06-provider-without-domain.md: topics: must be a list of topic names",
    ]);
  });

  it("never runs a ---js front-matter block", async () => {
    await readArticleDir(BROKEN);
    expect((globalThis as Record<string, unknown>).__feedloomFrontMatterRan).toBeUndefined();
  });

  it("refuses titles longer than the limit", () => {
    const { issues } = parseArticleFile(
      "long.md",
      `---\ntitle: "${"x".repeat(1001)}"\npublishedDateTime: 2020-01-01T00:00:00Z\nwebUrl: https://p.com/\nprovider: {name: P, domain: p.com}\n---\n`,
    );
    expect(issues.map(formatIssue)).toEqual([
      "long.md: title: is 1001 characters long; at most 1000 are allowed",
    ]);
  });
});

describe("dates are normalised to UTC", () => {
  it.each([
    ["2022-06-30T23:48:00Z", "2022-06-30T23:48:00Z"],
    ["2022-06-30T23:48:00+02:00", "2022-06-30T21:48:00Z"],
    ["2022-06-30 23:48:00", "2022-06-30T23:48:00Z"],
    ["2022-06-30", "2022-06-30T00:00:00Z"],
    ["2022-06-30T23:48:00.999Z", "2022-06-30T23:48:00Z"],
  ])("%s -> %s", (input, expected) => {
    expect(normaliseDateTime(input)).toBe(expected);
  });
  it.each([
    "",
    "soon",
    "2022-13-45",
    "2021-02-30",
    "2021-13-45T25:61:00Z",
    "2022-06-30T23:59:61Z",
    "99999-01-01",
  ])("refuses %j", (input) => {
    expect(normaliseDateTime(input)).toBeUndefined();
  });
});

describe("a YAML error", () => {
  it("names a line of the file: where a quote opens, else where the parser gave up", () => {
    const reasonOf = (text: string) => parseArticleFile("2021-01-01-x.md", text).issues[0]?.reason;
    expect(
      reasonOf(
        "---\ntitle: ok\nexcerpt: 'an apostrophe''s fine'\nsource: \"unclosed\ntopics: [AI]\n---\n",
      ),
    ).toBe("cannot be read: line 4: a quoted value opens there and is not closed on that line");
    expect(reasonOf("---\ntitle: ok\ntopics: [AI\nprovider:\n  name: x\n---\n")).toMatch(
      /^cannot be read: line \d: missed comma between flow collection entries$/,
    );
  });
});
