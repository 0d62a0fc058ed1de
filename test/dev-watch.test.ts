/**
 * `npm run dev` as docs/workers.md describes it: wrangler's [build] step
 * turns data/ into the bundle, and again when a file there changes, so an
 * article saved while it runs is served without a restart.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyWorkerProject, startDev } from "./dev-project.js";
import { PROCESS_TEST_TIMEOUT, freePort } from "./helpers.js";

const project = copyWorkerProject("feedloom-dev-watch-");
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("npm run dev", { timeout: 3 * PROCESS_TEST_TIMEOUT }, () => {
  it("serves an article saved in data/ while it runs, without a restart", async () => {
    const port = await freePort();
    const dev = await startDev(project, port);
    const feed = async () => (await fetch(`http://127.0.0.1:${port}/feed.json`)).text();
    try {
      expect(await feed()).not.toContain("Saved while dev runs");
      writeFileSync(
        join(project, "data", "2023-09-01-saved-while-dev-runs.md"),
        [
          "---",
          'title: "Saved while dev runs"',
          'excerpt: "A file added to data/ under npm run dev."',
          "publishedDateTime: 2023-09-01T08:00:00Z",
          'webUrl: "https://example.com/saved-while-dev-runs"',
          "provider:",
          "  name: Example",
          "  domain: example.com",
          "topics: [AI]",
          "---",
          "",
        ].join("\n"),
      );
      const deadline = Date.now() + PROCESS_TEST_TIMEOUT;
      while (!(await feed()).includes("Saved while dev runs")) {
        if (Date.now() > deadline) throw new Error(`not served:\n${dev.output()}`);
        await new Promise((done) => setTimeout(done, 200));
      }
      // Built at start, and again for the new file.
      const builds = dev.output().match(/\[custom build\] feedloom build: /g) ?? [];
      expect(builds.length).toBeGreaterThanOrEqual(2);
    } finally {
      await dev.stop();
    }
  });
});
