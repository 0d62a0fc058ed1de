/**
 * Global setup, run in Node before the Workers tests: serves every route from
 * data/ through the Node path (file parsing, Node's render cache) and hands
 * the responses to the tests in workerd, which must match them byte for byte.
 */
import type { TestProject } from "vitest/node";
import { type Config, loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { type ContentStore, createMemoryStore } from "../src/index/store.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { createLruRenderCache } from "../src/http/lru-render-cache.js";
import { zlibCompressor } from "../src/runtime/compression.js";
import { DIGEST_NOW, digestRoutes, everyRoute } from "./routes.js";

export interface NodeResponse {
  path: string;
  status: number;
  contentType: string | null;
  etag: string | null;
  body: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    nodeResponses: NodeResponse[];
    /** The digest routes, answered by a store that publishes at DIGEST_NOW. */
    nodeDigestResponses: NodeResponse[];
    nodeConfig: ReturnType<typeof loadConfig>;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const config = loadConfig({});
  const { index } = await loadIndexFromDir("data", {
    includeUnpublished: config.includeUnpublished,
    now: Date.now(),
  });
  const answers = async (
    now: () => number,
    pathsOf: (store: ContentStore, config: Config) => Promise<string[]>,
  ) => {
    const store = createMemoryStore(index, "node", { now });
    const app = createApp({
      store,
      config,
      cache: createLruRenderCache(),
      compressor: zlibCompressor,
    });
    const responses: NodeResponse[] = [];
    for (const path of await pathsOf(store, config)) {
      const response = await app.request(`http://localhost${path}`);
      responses.push({
        path,
        status: response.status,
        contentType: response.headers.get("content-type"),
        etag: response.headers.get("etag"),
        body: await response.text(),
      });
    }
    return responses;
  };
  project.provide("nodeResponses", await answers(() => Date.now(), everyRoute));
  project.provide("nodeDigestResponses", await answers(() => DIGEST_NOW, digestRoutes));
  project.provide("nodeConfig", config);
}
