/** The export's helper thread (export-threads.ts): renders and writes the app files it takes from the shared queue. */
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import {
  exportApp,
  type HelperReport,
  type HelperStart,
  type HelperTask,
} from "./export-threads.js";
import { IN_FLIGHT, appFile, fileForUrl, produceFile } from "./static-export.js";

const start = workerData as HelperStart;
const { app } = exportApp(start);
const report = (message: HelperReport) => parentPort!.postMessage(message);

parentPort!.once("message", async ({ urls, next, fresh }: HelperTask) => {
  const folders = new Set<string>();
  const take = async () => {
    for (let position; (position = Atomics.add(next, 0, 1)) < urls.length;) {
      const url = urls[position];
      const bytes = await appFile(app, start.config.publicUrl!, url, []).render();
      report({
        position,
        produced: produceFile(join(start.out, fileForUrl(url)), bytes, fresh, folders),
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, take));
    report({ done: true });
  } catch (error) {
    report({ error: error instanceof Error ? error.message : String(error) });
  }
});
