/**
 * The Worker's module graph. Each module the Worker imports is one more round
 * trip when workerd first loads it (in `wrangler dev` and in the Workers tests);
 * the date-fns package index alone was 250 modules and 3 of the 4.4 s of the
 * first Worker request. The Worker parses no front matter, so no valibot either.
 * With the pages (hono/jsx) it is 100 modules and the first request 0.55 s;
 * the ceiling below leaves room for features, not for another package index.
 */
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

describe("the Worker's module graph", () => {
  it("loads single date-fns functions, no validation library and fewer than 150 modules", async () => {
    const result = await build({
      entryPoints: ["src/entry/worker.ts"],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      loader: { ".txt": "text" },
      logLevel: "silent",
    });
    const modules = Object.keys(result.metafile.inputs);
    expect(modules.filter((path) => path.includes("node_modules/date-fns/")).length).toBeLessThan(
      10,
    );
    expect(modules.filter((path) => path.includes("node_modules/valibot/"))).toEqual([]);
    expect(modules.filter((path) => path.includes("node_modules/gray-matter/"))).toEqual([]);
    expect(modules.length).toBeLessThan(150);
  });
});
