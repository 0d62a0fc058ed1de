/**
 * The Worker's module graph. Each module the Worker imports is one more round
 * trip when workerd first loads it (in `wrangler dev` and in the Workers tests);
 * the date-fns package index alone was 250 modules and 3 of the 4.4 s of the
 * first Worker request. The Worker parses no front matter at start, so no
 * valibot either: the publishing API loads its article parser at its first
 * call (a dynamic import), so what is counted is what loads at start.
 * With the pages (hono/jsx) it is 100 modules and the first request 0.55 s;
 * the publishing API's routes and D1 writer make it 152. The ceiling below
 * leaves room for features, not for another package index.
 */
import { builtinModules } from "node:module";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

describe("the Worker's module graph", () => {
  it("loads single date-fns functions, no validation library and fewer than 160 modules at start", async () => {
    const result = await build({
      entryPoints: ["src/entry/worker.ts"],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      loader: { ".txt": "text" },
      // What nodejs_compat (wrangler.toml) gives the Worker: Node's built-in modules.
      external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
      logLevel: "silent",
    });
    const { inputs } = result.metafile;
    /** The modules `from` loads, following dynamic imports or not. */
    const closure = (from: string, dynamic: boolean) => {
      const seen = new Set([from]);
      for (const path of seen)
        for (const edge of inputs[path]?.imports ?? [])
          if (!edge.external && (dynamic || edge.kind !== "dynamic-import")) seen.add(edge.path);
      return [...seen];
    };
    const modules = closure("src/entry/worker.ts", false);
    // The parser is in the bundle, for the API's first call: the count above leaves it out, not the Worker.
    expect(
      closure("src/entry/worker.ts", true).some((path) =>
        path.includes("node_modules/gray-matter/"),
      ),
    ).toBe(true);
    expect(modules.filter((path) => path.includes("node_modules/date-fns/")).length).toBeLessThan(
      10,
    );
    expect(modules.filter((path) => path.includes("node_modules/valibot/"))).toEqual([]);
    expect(modules.filter((path) => path.includes("node_modules/gray-matter/"))).toEqual([]);
    expect(modules.length).toBeLessThan(160);
  });
});
