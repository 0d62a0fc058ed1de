import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** A publishing-API token of the Workers tests with bundled content (test-workers/api.test.ts). */
const WORKERS_API_TOKENS = "pipeline:create,update,delete:workers-api-secret-0123456789";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      projects: [
        {
          test: {
            name: "node",
            include: ["test/**/*.test.ts"],
            // A wrangler command that fails early records telemetry consent in ~/.config/.wrangler despite
            // wrangler.toml's send_metrics = false, and every later one then prints a banner: tests that read
            // wrangler's output would pass or fail by the order they ran in.
            env: { WRANGLER_SEND_METRICS: "false" },
          },
        },
        {
          // Runs inside workerd with the Worker of wrangler.toml and the bundle npm run build wrote.
          // API_TOKENS turns the publishing API on: with bundled content it has nowhere to write.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { API_TOKENS: WORKERS_API_TOKENS } },
            }),
          ],
          test: {
            name: "workers",
            include: ["test-workers/*.test.ts"],
            globalSetup: ["test-workers/node-responses.ts", "test-workers/hub.ts"],
          },
        },
        {
          // The same Worker with a D1 binding (miniflare's local SQLite), migrated and filled as npm run publish:d1 does.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              // STATS_TOKEN turns statistics on, in D1 beside the articles (test-workers/d1/stats-d1.test.ts).
              miniflare: {
                d1Databases: { DB: "feedloom-test", LARGE: "feedloom-large" },
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  STATS_TOKEN: "workers-test-token-0123456789",
                },
              },
            }),
          ],
          test: {
            name: "workers-d1",
            include: ["test-workers/d1/*.test.ts"],
            globalSetup: [
              "test-workers/node-responses.ts",
              "test-workers/d1-seed.ts",
              "test-workers/hub.ts",
              "test-workers/inboxes.ts",
            ],
            setupFiles: ["test-workers/d1/setup.ts"],
          },
        },
      ],
    },
  };
});
