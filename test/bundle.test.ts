/** The Worker's content bundle: built by the CLI from a data folder, read back into the same index. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ContentBundle,
  bundleSizeProblem,
  indexFromBundle,
  toBundle,
} from "../src/sources/bundle.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT, fixtureApp, runCli } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-bundle-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const build = (out: string, env: Record<string, string> = {}) =>
  runCli("build", ["--data", FIXTURES, "--out", out], env);

describe("the content bundle", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it("gives back the same index: articles in order, topics and providers with their articles", async () => {
    const { index } = await fixtureApp();
    const restored = indexFromBundle(
      JSON.parse(JSON.stringify(toBundle(index, "v1"))) as ContentBundle,
    );
    expect(restored.articles.map((article) => article.id)).toEqual(
      index.articles.map((article) => article.id),
    );
    for (const groups of ["topics", "providers"] as const) {
      expect([...restored[groups].keys()]).toEqual([...index[groups].keys()]);
      for (const [key, group] of index[groups]) {
        expect(restored[groups].get(key)?.name).toBe(group.name);
        expect(restored[groups].get(key)?.articles.map((article) => article.id)).toEqual(
          group.articles.map((article) => article.id),
        );
      }
    }
  });

  it("is written by npm run build with a summary, without drafts, with a version that follows the content", async () => {
    const out = join(work, "content.txt");
    const { stdout } = await build(out);
    expect(stdout).toMatch(/loaded 9 of 9 files, skipped 0/);
    expect(stdout).toMatch(/wrote .*content\.txt: 7 articles/);
    const bundle = JSON.parse(readFileSync(out, "utf8")) as ContentBundle;
    expect(bundle.articles.map((article) => article.title)).not.toContain(
      "Statistical Natural Language Processing Market",
    );
    expect(JSON.stringify(bundle)).not.toContain("secured");
    await build(join(work, "preview.txt"), { INCLUDE_UNPUBLISHED: "true" });
    const preview = JSON.parse(readFileSync(join(work, "preview.txt"), "utf8")) as ContentBundle;
    expect(preview.articles).toHaveLength(8);
    expect(preview.version).not.toBe(bundle.version);
  });

  it("holds no articles when wrangler.toml binds D1 as DB: the Worker reads D1 then", async () => {
    const config = join(work, "wrangler-d1.toml");
    writeFileSync(
      config,
      '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "feedloom"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\n',
    );
    const out = join(work, "d1.txt");
    const { stdout } = await runCli("build", [
      "--data",
      FIXTURES,
      "--out",
      out,
      "--config",
      config,
    ]);
    expect(stdout).toMatch(
      /binds D1 as DB: wrote .* without articles; npm run publish:d1 sends data\/ to the local database npm run dev serves \(npm run publish:d1 -- --remote to Cloudflare.s\)/,
    );
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({
      version: "d1",
      articles: [],
      topics: [],
      providers: [],
    });
    writeFileSync(config, '# [[d1_databases]]\n# binding = "DB"\n');
    await runCli("build", ["--data", FIXTURES, "--out", out, "--config", config]);
    expect((JSON.parse(readFileSync(out, "utf8")) as ContentBundle).articles).toHaveLength(7);
  });

  it("refuses a bundle over the size limit, saying how many articles fit and what to do", async () => {
    await expect(
      build(join(work, "big.txt"), { WORKER_SIZE_LIMIT_MB: "0.1" }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /7 articles make .* MB gzipped, over the Worker limit of 0\.1 MB .* About 0 articles fit\. .*WORKER_SIZE_LIMIT_MB=10/,
      ),
    });
    expect(bundleSizeProblem(10_000, 2 * 1024 * 1024, 3, "data")).toBeUndefined();
    expect(bundleSizeProblem(10_000, 4 * 1024 * 1024, 3, "data")).toMatch(
      /About 7207 articles fit/,
    );
  });
});
