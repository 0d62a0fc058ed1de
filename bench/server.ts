/**
 * A server for the load figure, started by bench.ts in its own process:
 *   app  - the feedloom app as the Node server runs it: the fast path (runtime/replay.ts) in front of
 *          the app (runtime/node-app.ts), load shedding included
 *   app-router - the app alone, every request through the router
 *   app-unshed - the same without render admission: every miss renders, however many wait
 *   app-counted - the app with subscriber statistics on, counting every request as the Node server does
 *   app-federated - the app with federation's routes installed (an in-memory state, no followers)
 *   bare - node:http sending the same gzipped bytes and the same headers, with no routing or checks
 * Listens on 127.0.0.1 at an ephemeral port, prints it, and stops on SIGTERM.
 */
import { getRequestListener } from "@hono/node-server";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, loadStatsConfig } from "../src/config.js";
import { countingFetch, nodeStatistics } from "../src/stats/node-stats.js";
import { createItemFragments } from "../src/feeds/fragments.js";
import { createMemoryStore } from "../src/index/store.js";
import { createNodeApp } from "../src/runtime/node-app.js";
import { createRenderAdmission } from "../src/runtime/render-admission.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { contentTag, createReplay } from "../src/runtime/replay.js";
import { federationRoutes } from "../src/federation/routes.js";
import { benchFederation } from "./federation-bench.js";

const [mode, dir, path] = process.argv.slice(2);
const config = loadConfig({});
const { index } = await loadIndexFromDir(dir, { includeUnpublished: false, now: Date.now() });
const store = createMemoryStore(index, "bench", { now: () => Date.now() });
const statistics =
  mode === "app-counted"
    ? await nodeStatistics(
        loadStatsConfig({ STATS_TOKEN: "bench-token-0123456789abcdef" }),
        "",
        mkdtempSync(join(tmpdir(), "feedloom-bench-state-")),
      )
    : undefined;
const federation = mode === "app-federated" ? await benchFederation() : undefined;
const app = createNodeApp({
  store,
  config,
  itemFragments: createItemFragments(),
  ...(mode === "app-unshed" ? {} : { admission: createRenderAdmission() }),
  extensions: [
    ...(statistics ? [statistics.extension] : []),
    ...(federation ? [federationRoutes(federation)] : []),
  ],
});
const announce = (port: number) => console.log(JSON.stringify({ port }));

if (mode.startsWith("app")) {
  const fetch = countingFetch(statistics, app.fetch);
  const listener =
    mode === "app-router"
      ? getRequestListener(fetch)
      : createReplay({
          tag: contentTag(() => store, Date.now, config.digestTimeZone),
          ...(statistics
            ? {
                observe: (incoming, status) => statistics.observeReplay(incoming, status),
              }
            : {}),
        }).listener(fetch);
  const server = createServer(listener).listen(0, "127.0.0.1", () =>
    announce((server.address() as AddressInfo).port),
  );
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
} else {
  const sample = await app.request(`http://127.0.0.1${path}`, {
    headers: { "Accept-Encoding": "gzip" },
  });
  const body = Buffer.from(await sample.arrayBuffer());
  // Every header the app sends (Date and Connection are Node's own, added to both).
  const headers = Object.fromEntries(sample.headers);
  const server = createServer((_request, response) => {
    response.writeHead(200, headers);
    response.end(body);
  });
  server.listen(0, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
