/**
 * The layout reads straight down: content -> index -> feeds -> http ->
 * sources, publish, runtime, stats -> entry, cli. No import runs back up, and only
 * the folders below http touch I/O or a platform API (node: modules).
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/** Each folder's level; a module may import its own level or a lower one. */
const LEVEL: Record<string, number> = {
  content: 0,
  index: 1,
  feeds: 2,
  http: 3,
  sources: 4,
  publish: 4,
  runtime: 4,
  stats: 4,
  entry: 5,
  cli: 5,
};
const PURE = ["content", "index", "feeds", "http"];

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
});
