/**
 * The embed widget (printed by npm run bench, or alone with `npm run bench -- embed`):
 * embed.js gzipped against its 5 KB budget, and in Debian's Chromium the time
 * from navigation to a rendered widget (items in its shadow root) on a host
 * page of another origin, median of 15 loads, with and without a warm cache.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { EMBED_COMPONENT } from "../src/http/embed/component.js";
import { createLruRenderCache } from "../src/http/lru-render-cache.js";
import { createMemoryStore } from "../src/index/store.js";
import { zlibCompressor } from "../src/runtime/compression.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import type { Page } from "playwright-core";
import { CHROMIUM, hasChromium, launchChromium, serveApp } from "../test/browser.js";
import { median } from "./stats.js";

export async function embedFigures(): Promise<void> {
  const gzipped = gzipSync(EMBED_COMPONENT, { level: 9 }).byteLength;
  console.log(
    `\nembed widget: embed.js ${(EMBED_COMPONENT.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(2)} KB gzipped (budget 5 KB)`,
  );
  if (!hasChromium) {
    console.log(`  time to render: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return;
  }
  const { index } = await loadIndexFromDir("data", {
    includeUnpublished: true,
    now: Date.now(),
    showScheduled: true,
  });
  const feeds = await serveApp(
    createApp({
      store: createMemoryStore(index, "bench", { now: () => Date.now(), showScheduled: true }),
      config: loadConfig({ INCLUDE_UNPUBLISHED: "true" }),
      cache: createLruRenderCache(),
      compressor: zlibCompressor,
    }),
  );
  const host = createServer((_request, response) =>
    response
      .writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" })
      .end(
        `<!DOCTYPE html><title>host</title><script type="module" src="${feeds.origin}/embed.js"></script><feedloom-feed src="${feeds.origin}/feed.json" limit="5"></feedloom-feed>`,
      ),
  );
  host.listen(0, "localhost");
  await once(host, "listening");
  const hostUrl = `http://localhost:${(host.address() as AddressInfo).port}/`;
  const browser = await launchChromium();
  /** Milliseconds from navigation start until the widget shows its first item. */
  const timeToRender = async (page: Page) => {
    await page.goto(hostUrl);
    return page.evaluate(async () => {
      while (!document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("li"))
        await new Promise((resolve) => requestAnimationFrame(resolve));
      return performance.now();
    });
  };
  try {
    const fresh: number[] = [];
    for (let i = 0; i < 15; i++) {
      const context = await browser.newContext();
      fresh.push(await timeToRender(await context.newPage()));
      await context.close();
    }
    const warm: number[] = [];
    const context = await browser.newContext();
    for (let i = 0; i < 16; i++) warm.push(await timeToRender(await context.newPage()));
    await context.close();
    console.log(
      `  navigation to rendered widget (5 items, host on another origin), median of 15: new browser context ${median(fresh).toFixed(0)} ms, script cached ${median(warm.slice(1)).toFixed(0)} ms`,
    );
  } finally {
    await browser.close();
    await feeds.close();
    host.close();
  }
}
