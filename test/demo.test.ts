/**
 * `feedloom demo` as a new user runs it: beside the sample articles, a
 * corpus dated up to today, on which the digests have recent days and weeks,
 * the archives have something to follow, and drafts stay out.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { FIXTURES, runCli, PROCESS_TEST_TIMEOUT } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "feedloom-demo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("feedloom demo", () => {
  it(
    "adds articles up to today that show digests, archives and drafts, and replaces its own when run again",
    async () => {
      cpSync(FIXTURES, dir, { recursive: true });
      const seeds = readdirSync(dir).length;
      const { stdout } = await runCli("demo", [dir]);
      expect(stdout).toMatch(/^feedloom demo: wrote 300 articles of the last 60 days to /);
      expect(readdirSync(dir).length).toBe(seeds + 300);

      const now = Date.now();
      const { index, version, issues } = await loadIndexFromDir(dir, {
        includeUnpublished: false,
        now,
      });
      expect(issues.filter((issue) => issue.file.includes("-demo-"))).toEqual([]);
      const app = createApp({
        store: createMemoryStore(index, version, { now: () => now }),
        config: loadConfig({}),
      });
      const digest = (await (await app.request("/digest/daily.json")).json()) as {
        items: { date_published: string }[];
      };
      expect(digest.items.length).toBeGreaterThan(20);
      expect(now - Date.parse(digest.items[0].date_published)).toBeLessThan(7 * 86_400_000);
      expect((await app.request("/topics/ai/digest/weekly.json")).status).toBe(200);
      expect((await app.request("/feed/archive/1.atom")).status).toBe(200);
      // About a tenth are drafts: left out.
      const demoArticles = index.articles.filter((article) => article.file.includes("-demo-"));
      expect(demoArticles.length).toBeLessThan(300);
      expect(demoArticles.length).toBeGreaterThan(240);
      expect(
        demoArticles.every((article) => article.provider.domain.endsWith(".example.com")),
      ).toBe(true);

      await runCli("demo", [dir, "--count", "50"]);
      expect(readdirSync(dir).length).toBe(seeds + 50);
      const refused = await runCli("demo", [dir, "--count", "lots"]).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
      expect(refused).toBe(2);
    },
    PROCESS_TEST_TIMEOUT,
  );
});
