/**
 * The export's helper thread (export-threads.ts): parses the files it is given, then renders and
 * writes the app files it takes from the back of the shared queue. The renderer loads only once
 * parsing is done, so that parsing starts as soon as the parser has loaded.
 */
import { join } from "node:path";
import { parentPort } from "node:worker_threads";
import { readAndParse } from "../sources/fs-source.js";
import type { HelperReport, HelperTask } from "./export-threads.js";

const report = (message: HelperReport) => parentPort!.postMessage(message);
/**
 * Files produced, reported this many at a time: a message per file cost the worker more than 0.1 s
 * of CPU time (postMessage and its serialisation) in a cold export of 10k articles.
 */
const REPORT_BATCH = 64;

let renderer: Promise<[typeof import("./export-threads.js"), typeof import("./static-export.js")]>;
/** The renderer, loaded once: asked for as soon as parsing is done, it loads while the main thread builds the index. */
const loadRenderer = () =>
  (renderer ??= Promise.all([import("./export-threads.js"), import("./static-export.js")]));

async function render({ start, urls, next, fresh }: Extract<HelperTask, { kind: "render" }>) {
  const [{ exportApp }, { IN_FLIGHT, appFile, fileForUrl, produceFile, sharedQueue }] =
    await loadRenderer();
  const { app } = exportApp(start);
  const folders = new Set<string>();
  const fromBack = sharedQueue(next, urls.length, "back");
  let batch: Extract<HelperReport, { kind: "produced" }>["files"] = [];
  const flush = () => {
    if (batch.length > 0) report({ kind: "produced", files: batch });
    batch = [];
  };
  const take = async () => {
    for (let position; (position = fromBack()) !== undefined;) {
      const url = urls[position];
      const bytes = await appFile(app, start.config.publicUrl!, url, []).render();
      batch.push([position, produceFile(join(start.out, fileForUrl(url)), bytes, fresh, folders)]);
      if (batch.length >= REPORT_BATCH) flush();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, take));
  flush();
}

parentPort!.on("message", async (task: HelperTask) => {
  try {
    if (task.kind === "parse") {
      report({ kind: "parsed", reads: await readAndParse(task.dir, task.names, task.counter) });
      void loadRenderer();
    } else {
      await render(task);
      report({ kind: "done" });
    }
  } catch (error) {
    report({ kind: "error", error: error instanceof Error ? error.message : String(error) });
  }
});
