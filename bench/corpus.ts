/** The synthetic corpus (src/content/synthetic.ts) written to a temporary folder, for the bench. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticArticles } from "../src/content/synthetic.js";

/** The corpus written to a new temporary folder, whose path is returned. */
export function writeCorpus(count: number, start?: number): string {
  const dir = mkdtempSync(join(tmpdir(), `feedloom-bench-${count}-`));
  for (const { name, text } of syntheticArticles(count, { seed: 42, start }))
    writeFileSync(join(dir, name), text);
  return dir;
}
