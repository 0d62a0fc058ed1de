/**
 * Global setup of the D1 project, run in Node: the SQL `npm run publish:d1`
 * would write for data/ into an empty D1, and for a synthetic corpus of
 * 3,000 articles (for the rows-read test). The tests in workerd apply them.
 */
import type { TestProject } from "vitest/node";
import { buildIndex } from "../src/index/index.js";
import { planSync } from "../src/publish/d1-sync.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { largeCorpus } from "./large-corpus.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStatsCounter } from "../src/stats/counter.js";
import { openSqliteFile, statsMigrations } from "../src/stats/sqlite-file.js";
import { type FeedStats, createStatsStore } from "../src/stats/store.js";
import { SCENARIO_TODAY, runScenario } from "./stats-scenario.js";

declare module "vitest" {
  export interface ProvidedContext {
    d1Sample: string[];
    d1Large: string[];
    /** What Node's statistics (sql.js) report for the scenario: workerd on D1 must say the same. */
    statsReport: FeedStats[];
  }
}

const EMPTY = { articles: [], groups: [], meta: {} };

export default async function setup(project: TestProject): Promise<void> {
  const { index } = await loadIndexFromDir("data", { includeUnpublished: false, now: Date.now() });
  project.provide("d1Sample", planSync(index, EMPTY).statements);
  project.provide("d1Large", planSync(buildIndex(largeCorpus()), EMPTY).statements);
  const state = mkdtempSync(join(tmpdir(), "feedloom-stats-seed-"));
  try {
    const database = await openSqliteFile(state, statsMigrations());
    const store = createStatsStore(database, { retentionDays: 90, claimCeiling: 1000 });
    await runScenario(createStatsCounter(store, ""));
    project.provide("statsReport", await store.report(SCENARIO_TODAY));
    database.close();
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
