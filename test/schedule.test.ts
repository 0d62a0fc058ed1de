/**
 * Scheduled articles in the store: "now" is an input, so the tests set it.
 * Before its time an article is nowhere (feeds, counts, directories, close-key
 * hints, the version); at its time it is everywhere, and the version changes.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import type { Article } from "../src/content/article.js";
import { scheduledArticles } from "../src/index/dates.js";
import { buildIndex } from "../src/index/index.js";
import { createMemoryStore } from "../src/index/store.js";
import { createApp } from "../src/http/app.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT, loadFixtureFiles, runCli } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-schedule-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DUE = "2030-06-01T08:00:00Z";
const at = (iso: string) => Date.parse(iso);

async function indexWithScheduled() {
  const articles = (await loadFixtureFiles()).flatMap((file) =>
    file.article ? [file.article] : [],
  );
  const scheduled: Article = {
    ...articles[0],
    id: "urn:uuid:00000000-0000-5000-8000-000000000001",
    file: "2030-06-01-scheduled.md",
    title: "Scheduled for June",
    url: "https://example.com/scheduled",
    published: DUE,
    topics: ["Only Later"],
    provider: { name: "Later Wire", domain: "later.example.com" },
  };
  return buildIndex([...articles, scheduled]);
}

describe("a scheduled article in the store", async () => {
  const index = await indexWithScheduled();
  const storeAt = (now: number) => createMemoryStore(index, "v1", { now: () => now });

  it("is out of every feed, count, directory and hint before its time, and in all of them from that second on", async () => {
    for (const [now, out] of [
      [at("2030-06-01T07:59:59Z"), false],
      [at("2030-06-01T08:00:00Z"), true],
      [at("2030-06-01T08:00:00.999Z"), true],
    ] as const) {
      const store = storeAt(now);
      const titles = (await store.slice({ kind: "all" }, { limit: 50, page: 1 })).articles.map(
        (article) => article.title,
      );
      expect(titles.includes("Scheduled for June"), new Date(now).toISOString()).toBe(out);
      expect((await store.overview()).articles).toBe(index.articles.length - (out ? 0 : 1));
      expect((await store.overview()).newest === DUE).toBe(out);
      expect((await store.groups("topic")).some((group) => group.key === "only-later")).toBe(out);
      expect((await store.group("provider", "later.example.com")) !== undefined).toBe(out);
      expect((await store.closestKeys("topic", "only-latr")).includes("only-later")).toBe(out);
    }
  });

  it("names the count of scheduled articles in the version, so cache keys roll over when one goes out", async () => {
    expect(await storeAt(at("2030-01-01T00:00:00Z")).version()).toBe("v1~1");
    expect(await storeAt(at(DUE)).version()).toBe("v1");
    expect(
      await createMemoryStore(index, "v1", {
        now: () => at("2030-01-01T00:00:00Z"),
        showScheduled: true,
      }).version(),
    ).toBe("v1");
  });

  it("renders the same bytes for the same data at the same instant", async () => {
    const config = loadConfig({});
    const body = async () =>
      (
        await createApp({ store: storeAt(at("2030-01-01T00:00:00Z")), config }).request("/feed.rss")
      ).text();
    expect(await body()).toBe(await body());
  });

  it("is listed next due first, and released between two instants", async () => {
    expect(
      scheduledArticles(index.articles, at("2030-01-01T00:00:00Z")).map((article) => article.file),
    ).toEqual(["2030-06-01-scheduled.md"]);
    expect(scheduledArticles(index.articles, at(DUE))).toEqual([]);
    const store = createMemoryStore(index, "v1", {
      now: () => at("2030-01-01T00:00:00Z"),
      showScheduled: true,
    });
    expect(
      await store.publishedBetween(
        { kind: "all" },
        at("2030-01-01T00:00:00Z"),
        at("2030-05-01T00:00:00Z"),
      ),
    ).toEqual([]);
    expect(
      (await store.publishedBetween({ kind: "all" }, at("2030-05-01T00:00:00Z"), at(DUE))).map(
        (article) => article.file,
      ),
    ).toEqual(["2030-06-01-scheduled.md"]);
    expect(
      await store.publishedBetween({ kind: "all" }, at(DUE), at("2030-07-01T00:00:00Z")),
    ).toEqual([]);
  });
});

describe("scheduled articles in the CLIs", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  const data = join(work, "data");
  cpSync(FIXTURES, data, { recursive: true });
  writeFileSync(
    join(data, "2099-01-01-far-ahead.md"),
    '---\ntitle: "Far ahead"\npublishedDateTime: 2099-01-01T09:30:00Z\nwebUrl: "https://example.com/far-ahead"\nprovider:\n  name: Ahead\n  domain: ahead.example.com\n---\n',
  );

  it("validate lists them with their times, as no problem", async () => {
    const { stdout } = await runCli("validate", [data]);
    expect(stdout).toContain(
      '2099-01-01-far-ahead.md: scheduled for 2099-01-01T09:30:00Z: "Far ahead"\n',
    );
    expect(stdout).toMatch(/loaded 10 of 10 files, skipped 0, 4 warnings; 1 scheduled\n$/);
  });

  it("export leaves them out and says when the next is due", async () => {
    const out = join(work, "site");
    const { stdout } = await runCli("export", ["--data", data, "--out", out], {
      PUBLIC_URL: "https://feeds.example.com",
    });
    expect(stdout).toContain(
      "feedloom export: next scheduled article due 2099-01-01T09:30:00Z (1 scheduled): export again then to publish it",
    );
    expect(stdout).toMatch(/publishing 7 articles, 1 scheduled \(next 2099-01-01T09:30:00Z\)/);
    expect(readFileSync(join(out, "feed.json"), "utf8")).not.toContain("Far ahead");
    expect(existsSync(join(out, "providers", "ahead.example.com"))).toBe(false);
  });

  it("the preview switch shows them at once", async () => {
    const out = join(work, "preview");
    const { stdout, stderr } = await runCli("export", ["--data", data, "--out", out], {
      PUBLIC_URL: "https://feeds.example.com",
      INCLUDE_UNPUBLISHED: "true",
    });
    expect(stdout).not.toContain("scheduled");
    expect(readFileSync(join(out, "feed.json"), "utf8")).toContain("Far ahead");
    // Loudly a preview: said at start, in every title, and to search engines in the host's rules.
    expect(stderr).toMatch(/^feedloom: PREVIEW: INCLUDE_UNPUBLISHED is on: drafts/m);
    expect(readFileSync(join(out, "feed.json"), "utf8")).toContain('"title":"[Preview] ');
    expect(readFileSync(join(out, "_headers"), "utf8")).toContain("  X-Robots-Tag: noindex");
  });
});
