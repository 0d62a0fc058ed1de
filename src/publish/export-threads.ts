/**
 * The export on both cores: a worker thread (export-worker.ts) renders and writes app files from
 * the same queue as the main thread. Rendering is the export's work, and one thread does it at a
 * time; the worker gets the index by structured clone (articles shared between groups stay shared)
 * and builds the same app from it, so that a file is byte for byte what the main thread renders.
 */
import { Worker } from "node:worker_threads";
import type { Config } from "../config.js";
import { createItemFragments } from "../feeds/fragments.js";
import { createApp } from "../http/app.js";
import type { ContentIndex } from "../index/index.js";
import { createMemoryStore } from "../index/store.js";
import type { ExportHelper, Produced } from "./static-export.js";

/** What the export renders through: the app over the index at one instant. */
export interface ExportInputs {
  index: ContentIndex;
  version: string;
  config: Config;
  now: number;
}

export function exportApp({ index, version, config, now }: ExportInputs) {
  const store = createMemoryStore(index, version, {
    now: () => now,
    showScheduled: config.includeUnpublished,
  });
  // Files carry no ETag (the static host makes its own): hashing 170 MB at 10k articles for a header nobody receives is skipped.
  const app = createApp({
    store,
    config,
    etag: () => '"export"',
    itemFragments: createItemFragments(),
  });
  return { store, app };
}

/** What the worker is told when it starts, and then what to do. */
export interface HelperStart extends ExportInputs {
  out: string;
}
export interface HelperTask {
  urls: readonly string[];
  next: Int32Array;
  fresh: boolean;
}
export type HelperReport =
  { position: number; produced: Produced } | { done: true } | { error: string };

/**
 * The worker's entry. In the package, esbuild writes it beside this module's chunk. Run from the
 * sources (tsx, as the tests do), a worker does not inherit tsx's loader (privatenumber/tsx#354),
 * so it registers it before it imports the entry.
 */
function startWorker(workerData: HelperStart): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./export-worker.mjs", import.meta.url), { workerData });
  const entry = JSON.stringify(new URL("./export-worker.ts", import.meta.url).href);
  return new Worker(
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); });`,
    { eval: true, workerData },
  );
}

/** A helper thread, started now: it loads and builds its app while this thread begins rendering. */
export function exportHelper(start: HelperStart): ExportHelper {
  const worker = startWorker(start);
  return {
    produce: (urls, next, fresh, onProduced) =>
      new Promise<void>((resolve, reject) => {
        worker.on("message", (report: HelperReport) => {
          if ("position" in report) onProduced(report.position, report.produced);
          else if ("done" in report) resolve();
          else reject(new Error(`export helper thread: ${report.error}`));
        });
        worker.on("error", reject);
        worker.on("exit", (code) =>
          reject(new Error(`export helper thread: stopped (exit code ${code}) before its files`)),
        );
        worker.postMessage({ urls, next, fresh } satisfies HelperTask);
      }).finally(() => void worker.terminate()),
  };
}
