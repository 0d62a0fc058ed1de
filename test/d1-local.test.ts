/**
 * D1 on one's own machine, without a Cloudflare account, as docs/d1.md tells
 * a new user: in a copy of the project, with the wrangler.toml block
 * uncommented as it ships (placeholder id), every step through `npm run`:
 * publish says what to do until the tables exist, then fills the local
 * database, and `npm run dev` serves the feeds from it, offline, without
 * noise on its console.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { copyWorkerProject, startDev, uncommentD1Block } from "./dev-project.js";
import { PROCESS_TEST_TIMEOUT, freePort, parseXmlStrict } from "./helpers.js";

const project = copyWorkerProject("feedloom-d1-local-");
const run = promisify(execFile);
/** A command as the user types it in the project folder; resolves with its output, failure included. */
const npm = (...args: string[]) =>
  run("npm", args, { cwd: project, env: { ...process.env, FEEDLOOM_CACHE_DIR: "off" } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe(
  "local D1 from the guide, with no Cloudflare account",
  { timeout: 4 * PROCESS_TEST_TIMEOUT },
  () => {
    it("publish says what to do while wrangler.toml binds no database", async () => {
      const { code, stderr } = await npm("run", "publish:d1");
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /wrangler\.toml binds no D1 database as DB: uncomment its \[\[d1_databases\]\] block \(for --local its placeholder database_id works as it is/,
      );
      expect(stderr).not.toMatch(/"error": \{/);
    });

    it("uncommented as it ships: tables, publish, then npm run dev serves the feeds from the local database", async () => {
      const toml = readFileSync(join(project, "wrangler.toml"), "utf8");
      const uncommented = uncommentD1Block(toml);
      expect(uncommented).toMatch(
        /^\[\[d1_databases\]\]\nbinding = "DB"\n.*\ndatabase_id = "<the id wrangler d1 create feedloom printed>"\n/m,
      );
      writeFileSync(join(project, "wrangler.toml"), uncommented);

      const early = await npm("run", "publish:d1");
      expect(early.code).toBe(1);
      expect(early.stderr).toMatch(
        /local D1 database DB has no feedloom tables yet: run npm run migrate:d1 -- --local \(npx wrangler d1 migrations apply DB --local\) first/,
      );

      const migrated = await npm("run", "migrate:d1", "--", "--local");
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stdout).toMatch(/0004_federation\.sql/);
      // The guide's command prints no banner: no update notice, as npm run dev prints none.
      expect(`${migrated.stdout}${migrated.stderr}`).not.toMatch(/update available|⛅️/);
      const published = await npm("run", "publish:d1");
      expect(published.code, published.stderr).toBe(0);
      expect(published.stdout).toMatch(
        /feedloom publish: local D1 database DB: 7 added, 0 changed, 0 removed, 0 unchanged/,
      );

      const port = await freePort();
      const dev = await startDev(project, port);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/feed.rss`);
        expect(response.status).toBe(200);
        const channel = parseXmlStrict(await response.text()).children.find(
          (node) => node.name === "channel",
        )!;
        expect(channel.children.filter((node) => node.name === "item")).toHaveLength(7);
        expect(dev.output()).toMatch(
          /binds D1 as DB: wrote generated\/content\.txt without articles; npm run publish:d1 sends data\/ to the local database npm run dev serves/,
        );
        // Offline, as here: no stack trace from the Request.cf download, no update notice, no telemetry banner.
        expect(dev.output()).not.toMatch(
          /ENOTFOUND|getaddrinfo|Unable to fetch|update available|telemetry/,
        );
      } finally {
        await dev.stop();
      }
    });
  },
);
