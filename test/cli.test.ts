/** The command-line tools, run as a user runs them. */
import { describe, expect, it } from "vitest";
import { BROKEN, FIXTURES, PROCESS_TEST_TIMEOUT, runCli } from "./helpers.js";

const cli = (script: string, ...args: string[]) => runCli(script, args);

describe("npm run validate", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it("reports every broken file as file: field: reason and exits 1", async () => {
    const failure = await cli("validate", BROKEN).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(failure.stdout).toContain("2021-01-01-missing-title.md: title: is missing\n");
    expect(failure.stdout).toContain(
      "2021-01-03-hostile-url.md: webUrl: must be an absolute http(s) URL",
    );
    expect(failure.stdout).toMatch(/loaded 0 of 6 files, skipped 6, 0 warnings\n$/);
  });

  it("exits 0 when there are only warnings, and reports the duplicate", async () => {
    const { stdout } = await cli("validate", FIXTURES);
    expect(stdout).toMatch(
      /2019-12-25-duplicate-second\.md: webUrl: same article as 2019-12-24-duplicate-first\.md/,
    );
    expect(stdout).toMatch(/loaded 9 of 9 files, skipped 0, 4 warnings\n$/);
  });

  it("exits 2 with a message for a folder that does not exist", async () => {
    const failure = await cli("validate", "/no/such/folder").catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe(
      'feedloom validate: the data folder "/no/such/folder" does not exist: create it, or set DATA_DIR to the folder of article files\n',
    );
  });
});

describe("npm run check:feeds", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it("checks every feed, format and page of a folder", async () => {
    const { stdout } = await runCli("check", [FIXTURES], { FEED_LIMIT: "2" });
    // 1 main feed + 8 topics + 6 providers, 3 formats each, plus the extra pages at 2 items a page.
    expect(stdout).toMatch(/checked \d+ feeds \(\d+ items\): all passed\n$/);
    const [, feeds] = /checked (\d+) feeds/.exec(stdout)!;
    expect(Number(feeds)).toBeGreaterThan(45);
  });
});
