/**
 * Global setup of the D1 project, run in Node: the SQL `npm run publish`
 * would write for data/ into an empty D1, and for a synthetic corpus of
 * 3,000 articles (for the rows-read test). The tests in workerd apply them.
 */
import type { TestProject } from "vitest/node";
import { buildIndex } from "../src/index/index.js";
import { planSync } from "../src/publish/d1-sync.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { largeCorpus } from "./large-corpus.js";

declare module "vitest" {
  export interface ProvidedContext {
    d1Sample: string[];
    d1Large: string[];
  }
}

const EMPTY = { articles: [], groups: [], meta: {} };

export default async function setup(project: TestProject): Promise<void> {
  const { index } = await loadIndexFromDir("data", { includeUnpublished: false, now: Date.now() });
  project.provide("d1Sample", planSync(index, EMPTY).statements);
  project.provide("d1Large", planSync(buildIndex(largeCorpus()), EMPTY).statements);
}
