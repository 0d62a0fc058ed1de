import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "node", include: ["test/**/*.test.ts"] },
      },
      {
        // Runs inside workerd with the Worker of wrangler.toml and the bundle npm run build wrote.
        plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" } })],
        test: { name: "workers", include: ["test-workers/**/*.test.ts"], globalSetup: ["test-workers/node-responses.ts"] },
      },
    ],
  },
});
