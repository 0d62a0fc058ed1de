/**
 * Starting an article as a new user would: `feedloom new "Title"` writes a
 * draft named by the convention, which validate accepts and the feeds leave
 * out until it says published; a file named otherwise gets a warning.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROCESS_TEST_TIMEOUT, runCli } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-new-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
/** A run's exit code and output, whether it failed or not. */
const exited = (run: Promise<{ stdout: string; stderr: string }>) =>
  run.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

// Each test runs the CLI as processes (tsx compiles at each start): a process test's time, not 5 s.
describe("feedloom new", () => {
  it(
    "writes today's YYYY-MM-DD-slug.md, a draft that validate accepts with no warning",
    async () => {
      const dir = join(work, "articles");
      const today = new Date().toISOString().slice(0, 10);
      const { stdout } = await runCli("new", ["Ünïcode models: a look, at last!", "--data", dir]);
      const name = `${today}-unicode-models-a-look-at-last.md`;
      expect(stdout).toBe(
        `feedloom new: wrote ${join(dir, name)}, a draft: fill in its fields, then set published: true\n`,
      );
      expect(readdirSync(dir)).toEqual([name]);
      expect(readFileSync(join(dir, name), "utf8")).toMatch(
        /^---\ntitle: "Ünïcode models: a look, at last!"\n[\s\S]*published: false\n---\n$/,
      );
      const validated = await runCli("validate", [dir]);
      expect(validated.stdout).toMatch(/loaded 1 of 1 files, skipped 0, 0 warnings/);

      const again = await exited(
        runCli("new", ["Ünïcode models: a look, at last!", "--data", dir]),
      );
      expect([again.code, again.stderr]).toEqual([
        1,
        expect.stringMatching(/already exists: give another title/),
      ]);
      const untitled = await exited(runCli("new", ["--data", dir]));
      expect([untitled.code, untitled.stderr]).toEqual([
        2,
        expect.stringMatching(/give the article's title/),
      ]);
      expect(readdirSync(dir)).toEqual([name]);
    },
    PROCESS_TEST_TIMEOUT,
  );
});

describe("validate", () => {
  it(
    "warns about a file named against the convention, and still accepts it",
    async () => {
      const dir = join(work, "misnamed");
      await runCli("new", ["A fine article", "--data", dir]);
      const [name] = readdirSync(dir);
      writeFileSync(
        join(dir, "Notes on AI.md"),
        readFileSync(join(dir, name), "utf8").replace(/fine-article"/, 'other"'),
      );
      const { stdout } = await runCli("validate", [dir]);
      expect(stdout).toContain("Notes on AI.md: file name: should be YYYY-MM-DD-slug.md");
      expect(stdout).toMatch(/loaded 2 of 2 files, skipped 0, 1 warning$/m);
    },
    PROCESS_TEST_TIMEOUT,
  );
});
