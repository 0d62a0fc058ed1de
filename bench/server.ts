/**
 * A server for the load figure, started by bench.ts in its own process:
 *   app  - the feedloom app through @hono/node-server with Node's render cache
 *   bare - node:http sending the same gzipped bytes and the same headers, with no routing or checks
 * Listens on 127.0.0.1 at an ephemeral port, prints it, and stops on SIGTERM.
 */
import { serve } from "@hono/node-server";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { createLruRenderCache } from "../src/http/lru-render-cache.js";
import { zlibCompressor } from "../src/runtime/compression.js";

const [mode, dir, path] = process.argv.slice(2);
const config = loadConfig({});
const { index } = await loadIndexFromDir(dir, { includeUnpublished: false, now: Date.now() });
const app = createApp({ store: createMemoryStore(index, "bench", { now: Date.now }), config, cache: createLruRenderCache({ admitOnSecondRequest: true }), compressor: zlibCompressor });
const announce = (port: number) => console.log(JSON.stringify({ port }));

if (mode === "app") {
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => announce(info.port));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
} else {
  const sample = await app.request(`http://127.0.0.1${path}`, { headers: { "Accept-Encoding": "gzip" } });
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
