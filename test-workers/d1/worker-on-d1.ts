/**
 * The Worker on D1 with no bundle, as the D1 tests drive it: its bindings and
 * vars given, and a way to wait for the work it left to waitUntil (and for
 * the work that work left), rather than for a span of time.
 */
import { createWorker } from "../../src/entry/worker-app.js";

export const NO_BUNDLE = JSON.stringify({ version: "d1", articles: [], topics: [], providers: [] });

export function workerOnD1(bindings: Record<string, unknown>, vars: Record<string, string> = {}) {
  const site = createWorker(NO_BUNDLE, { vars });
  const waiting: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (promise: Promise<unknown>) => waiting.push(promise),
    passThroughOnException: () => undefined,
    props: {},
  } as unknown as Parameters<typeof site.fetch>[2];
  return {
    fetch: (request: Request) => site.fetch(request, bindings, ctx),
    async settled() {
      for (let done = 0; done < waiting.length; done = waiting.length) await Promise.all(waiting);
    },
  };
}
