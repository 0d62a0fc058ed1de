/**
 * The export on both cores: a worker thread (export-worker.ts) parses half the files while the
 * main thread parses the other half, then both render and write: the main thread takes files
 * from the front of one shared queue and the worker from its back, so neither waits for the
 * other. The worker gets the index by structured clone (articles shared between groups stay
 * shared) and builds the same app from it, so that a file is byte for byte what the main thread
 * renders.
 */
import { Worker } from "node:worker_threads";
import type { Config } from "../config.js";
import { createItemFragments } from "../feeds/fragments.js";
import { createApp } from "../http/app.js";
import type { ContentIndex } from "../index/index.js";
import { createMemoryStore } from "../index/store.js";
import type { ParseElsewhere, ParsedRead } from "../sources/fs-source.js";
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

/** What the helper renders with, and where it writes. */
export interface HelperStart extends ExportInputs {
  out: string;
}

/** What the helper is asked, one task at a time: files to parse (while loading), then files to render. */
export type HelperTask =
  | { kind: "parse"; dir: string; names: readonly string[]; counter: Int32Array }
  | {
      kind: "render";
      start: HelperStart;
      urls: readonly string[];
      next: Int32Array;
      fresh: boolean;
    };

export type HelperReport =
  | { kind: "parsed"; reads: Map<string, ParsedRead> }
  | { kind: "produced"; files: [position: number, produced: Produced][] }
  | { kind: "done" }
  | { kind: "error"; error: string };

/**
 * The worker's entry. In the package, esbuild writes it beside this module's chunk. Run from the
 * sources (tsx, as the tests do), a worker does not inherit tsx's loader (privatenumber/tsx#354),
 * so it registers it before it imports the entry.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts"))
    return new Worker(new URL("./export-worker.mjs", import.meta.url));
  const entry = JSON.stringify(new URL("./export-worker.ts", import.meta.url).href);
  return new Worker(
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); });`,
    { eval: true },
  );
}

/**
 * The export's second thread, started the first time it is asked for something (a warm export
 * asks nothing). `close` must be called at the end: a started worker keeps the process alive.
 */
export function exportThread() {
  let worker: Worker | undefined;
  const ask = <T>(
    task: HelperTask,
    onReport: (report: HelperReport, resolve: (value: T) => void) => void,
  ) => {
    const thread = (worker ??= startWorker());
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each event's listener takes its own argument
    let listeners: [string, (value: any) => void][] = [];
    return new Promise<T>((resolve, reject) => {
      listeners = [
        [
          "message",
          (report: HelperReport) =>
            report.kind === "error"
              ? reject(new Error(`export helper thread: ${report.error}`))
              : onReport(report, resolve),
        ],
        ["error", reject],
        [
          "exit",
          (code: number) => reject(new Error(`export helper thread: stopped (exit code ${code})`)),
        ],
      ];
      for (const [event, listener] of listeners) thread.on(event, listener);
      thread.postMessage(task);
    }).finally(() => {
      for (const [event, listener] of listeners) thread.off(event, listener);
    });
  };
  const parse: ParseElsewhere = (dir, names, counter) =>
    ask({ kind: "parse", dir, names, counter }, (report, resolve) => {
      if (report.kind === "parsed") resolve(report.reads);
    });
  const helper = (start: HelperStart): ExportHelper => ({
    produce: (urls, next, fresh, onProduced) =>
      ask<void>({ kind: "render", start, urls, next, fresh }, (report, resolve) => {
        if (report.kind === "produced")
          for (const [position, produced] of report.files) onProduced(position, produced);
        else if (report.kind === "done") resolve();
      }),
  });
  return { parse, helper, close: async () => void (await worker?.terminate()) };
}
