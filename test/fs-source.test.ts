/** The data-folder reader and its parse cache. */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { readArticleDir } from "../src/sources/fs-source.js";
import { FIXTURES } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-fs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the parse cache", () => {
  it("returns what a fresh parse returns, follows edits and renames, and ignores other files", async () => {
    const data = join(work, "data");
    const cacheDir = join(work, "cache");
    cpSync(FIXTURES, data, { recursive: true });
    writeFileSync(join(data, "notes.txt"), "not an article");
    const fresh = await readArticleDir(data);
    expect(fresh.map((file) => file.file)).not.toContain("notes.txt");

    expect(await readArticleDir(data, { cacheDir })).toEqual(fresh);
    expect(existsSync(join(cacheDir, "parsed-articles.json"))).toBe(true);
    expect(await readArticleDir(data, { cacheDir })).toEqual(fresh);

    const file = join(data, "2022-10-18-same-time-tie-breaker.md");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "An article published at the very same second",
        "Edited title",
      ),
    );
    renameSync(join(data, "2019-12-24-duplicate-first.md"), join(data, "2019-12-24-renamed.md"));
    const after = await readArticleDir(data, { cacheDir });
    expect(
      after.find((parsed) => parsed.file === "2022-10-18-same-time-tie-breaker.md")?.article?.title,
    ).toBe("Edited title");
    const renamed = after.find((parsed) => parsed.file === "2019-12-24-renamed.md");
    expect(renamed?.article?.file).toBe("2019-12-24-renamed.md");
    expect(after).toEqual(await readArticleDir(data));
  });

  it("reads at the next start only the files whose size or time moved, as git does", async () => {
    const data = join(work, "stat-cache");
    const cacheDir = join(work, "stat-cache-cache");
    cpSync(FIXTURES, data, { recursive: true });
    const file = join(data, "2022-10-18-same-time-tie-breaker.md");
    const { mtime } = statSync(file);
    // Old enough that its time vouches for its bytes (a time within a tick of the read would not).
    utimesSync(file, mtime, new Date(Date.now() - 60_000));
    const first = await readArticleDir(data, { cacheDir });
    const title = first.find((parsed) => parsed.file === "2022-10-18-same-time-tie-breaker.md")
      ?.article?.title;
    // Same size, same time, other bytes: a start trusts the recorded size and time and does not read the file...
    const text = readFileSync(file, "utf8");
    const swapped = text.replace("very same second", "VERY SAME SECOND");
    expect(swapped.length).toBe(text.length);
    const { mtime: recorded } = statSync(file);
    writeFileSync(file, swapped);
    utimesSync(file, recorded, recorded);
    expect(
      (await readArticleDir(data, { cacheDir })).find(
        (parsed) => parsed.file === "2022-10-18-same-time-tie-breaker.md",
      )?.article?.title,
    ).toBe(title);
    // ...while any move of its time makes it read again, and so does another folder with the same cache.
    utimesSync(file, recorded, new Date(recorded.getTime() + 5_000));
    expect(
      (await readArticleDir(data, { cacheDir })).find(
        (parsed) => parsed.file === "2022-10-18-same-time-tie-breaker.md",
      )?.article?.title,
    ).toContain("VERY SAME SECOND");
    expect(await readArticleDir(FIXTURES, { cacheDir })).toEqual(await readArticleDir(FIXTURES));
  });

  it("leaves the cache file alone for a change or two, which the next start reads again cheaper than a rewrite", async () => {
    const data = join(work, "small-change");
    const cacheDir = join(work, "small-change-cache");
    cpSync(FIXTURES, data, { recursive: true });
    await readArticleDir(data, { cacheDir });
    const cache = readFileSync(join(cacheDir, "parsed-articles.json"));
    const file = join(data, "2022-10-18-same-time-tie-breaker.md");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "An article published at the very same second",
        "Edited once more",
      ),
    );
    for (let start = 0; start < 2; start++) {
      const parsed = await readArticleDir(data, { cacheDir });
      expect(
        parsed.find((entry) => entry.file === "2022-10-18-same-time-tie-breaker.md")?.article
          ?.title,
      ).toBe("Edited once more");
    }
    expect(readFileSync(join(cacheDir, "parsed-articles.json")).equals(cache)).toBe(true);
  });

  it("loads the parser only for bytes the cache has not parsed", async () => {
    const data = join(work, "lazy-parser");
    const cacheDir = join(work, "lazy-parser-cache");
    cpSync(FIXTURES, data, { recursive: true });
    let loads = 0;
    // Each start a fresh copy of the modules, as each process has, and a count of the parser's loads.
    const start = async () => {
      vi.resetModules();
      vi.doMock("../src/content/parse.js", async (original) => {
        loads++;
        return original();
      });
      const { readArticleDir: read } = await import("../src/sources/fs-source.js");
      return read(data, { cacheDir });
    };
    try {
      const first = await start();
      expect(loads).toBe(1);
      expect(await start()).toEqual(first);
      expect(loads).toBe(1);
      writeFileSync(
        join(data, "2099-01-01-new.md"),
        readFileSync(join(data, "2022-10-18-same-time-tie-breaker.md"), "utf8").replace(
          /^title: .*$/m,
          "title: A new one",
        ),
      );
      const withNew = await start();
      expect(loads).toBe(2);
      expect(withNew.find((file) => file.file === "2099-01-01-new.md")?.article?.title).toBe(
        "A new one",
      );
    } finally {
      vi.doUnmock("../src/content/parse.js");
      vi.resetModules();
    }
  });

  it("survives a corrupt cache file by parsing again", async () => {
    const cacheDir = join(work, "corrupt");
    await readArticleDir(FIXTURES, { cacheDir });
    writeFileSync(join(cacheDir, "parsed-articles.json"), "{ not json");
    expect(await readArticleDir(FIXTURES, { cacheDir })).toEqual(await readArticleDir(FIXTURES));
  });
});
