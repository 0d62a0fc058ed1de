/**
 * The export's helper thread (export-threads.ts): parses the files it is given, then renders and
 * writes the app files it takes from the back of the shared queue. The renderer loads only for
 * that second task, so that parsing starts as soon as the parser has loaded.
 */
import { join } from "node:path";
import { parentPort } from "node:worker_threads";
import { readAndParse } from "../sources/fs-source.js";
import type { HelperReport, HelperTask } from "./export-threads.js";

const report = (message: HelperReport) => parentPort!.postMessage(message);

async function render({ start, urls, next, fresh }: Extract<HelperTask, { kind: "render" }>) {
  const [{ exportApp }, { IN_FLIGHT, appFile, fileForUrl, produceFile, sharedQueue }] =
    await Promise.all([import("./export-threads.js"), import("./static-export.js")]);
  const { app } = exportApp(start);
  const folders = new Set<string>();
  const fromBack = sharedQueue(next, urls.length, "back");
  const take = async () => {
    for (let position; (position = fromBack()) !== undefined;) {
      const url = urls[position];
      const bytes = await appFile(app, start.config.publicUrl!, url, []).render();
      const produced = produceFile(join(start.out, fileForUrl(url)), bytes, fresh, folders);
      report({ kind: "produced", position, produced });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, take));
}

parentPort!.on("message", async (task: HelperTask) => {
  try {
    if (task.kind === "parse")
      report({ kind: "parsed", reads: await readAndParse(task.dir, task.names, task.counter) });
    else {
      await render(task);
      report({ kind: "done" });
    }
  } catch (error) {
    report({ kind: "error", error: error instanceof Error ? error.message : String(error) });
  }
});
