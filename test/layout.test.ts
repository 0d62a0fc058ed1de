/**
 * The layout reads straight down: content -> index -> scheme -> feeds ->
 * http -> sources, publish, runtime, stats, api, federation -> entry, cli. No import runs back
 * up, and only the folders below http touch I/O or a platform API (node:
 * modules). Routes are declared in the URL scheme alone: nothing registers
 * a path of its own with Hono.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/** Each folder's level; a module may import its own level or a lower one. */
const LEVEL: Record<string, number> = {
  content: 0,
  index: 1,
  scheme: 2,
  feeds: 3,
  http: 4,
  sources: 5,
  publish: 5,
  runtime: 5,
  stats: 5,
  federation: 5,
  api: 5,
  entry: 6,
  cli: 6,
};
const PURE = ["content", "index", "scheme", "feeds", "http"];

const modules = readdirSync("src", { recursive: true, encoding: "utf8" })
  .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".d.ts"))
  .map((file) => join("src", file));
const folderOf = (file: string) => relative("src", file).split("/")[0];
const importsOf = (file: string) =>
  [
    ...readFileSync(file, "utf8").matchAll(/^(?:import|export)[^'"]*?from\s*["']([^"']+)["']/gm),
  ].map((match) => match[1]);

describe("the layout", () => {
  it.each(modules)("%s imports only its own level or lower ones", (file) => {
    const level = LEVEL[folderOf(file)];
    if (level === undefined) return; // config.ts and types/: shared leaves
    for (const spec of importsOf(file).filter((spec) => spec.startsWith("."))) {
      const target = normalize(join(dirname(file), spec));
      const targetLevel = LEVEL[folderOf(target)];
      if (targetLevel === undefined) continue;
      expect(targetLevel, `${file} imports ${spec}`).toBeLessThanOrEqual(level);
    }
    if (PURE.includes(folderOf(file)))
      expect(
        importsOf(file).filter((spec) => spec.startsWith("node:")),
        file,
      ).toEqual([]);
  });

  /**
   * A Hono registration with a path of its own (`app.get("/x", …)`, `app.post(\`${base}/x\`, …)`):
   * only Site.route and Site.write register, from a route of the scheme, and mount.ts's catch-all
   * is how feedloom() is mounted, not a route of it.
   */
  const REGISTRARS = ["src/http/site.ts", "src/entry/mount.ts"];
  it.each(modules.filter((file) => !REGISTRARS.includes(file)))(
    "%s registers no route outside the URL scheme",
    (file) => {
      const code = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const registrations = code.match(
        /\.(?:get|post|put|patch|delete|all|on|options|route|basePath)\(\s*(?:["'`]\/|`\$\{[^}]*\}\/)/g,
      );
      expect(registrations, file).toBeNull();
    },
  );
});
