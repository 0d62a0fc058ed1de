/**
 * `npm run screenshots`: the pages of the sample data (drafts included, so that
 * there is something to see) in Debian's Chromium, desktop and phone, light and
 * dark, written to docs/screenshots/ for the README. Thumbnails are grey
 * placeholders: this machine reaches no image host.
 */
import { mkdirSync } from "node:fs";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { contextFor, launchChromium, serveApp } from "./browser.js";

const OUT = "docs/screenshots";
const SHOTS = [
  {
    name: "home-desktop-light",
    path: "/",
    viewport: { width: 1280, height: 1000 },
    colorScheme: "light",
  },
  {
    name: "home-desktop-dark",
    path: "/",
    viewport: { width: 1280, height: 1000 },
    colorScheme: "dark",
  },
  {
    name: "topic-phone-light",
    path: "/topics/ai/",
    viewport: { width: 390, height: 844 },
    colorScheme: "light",
  },
  {
    name: "topic-phone-dark",
    path: "/topics/ai/",
    viewport: { width: 390, height: 844 },
    colorScheme: "dark",
  },
] as const;

const config = loadConfig({ INCLUDE_UNPUBLISHED: "true" });
const { index } = await loadIndexFromDir("data", {
  includeUnpublished: true,
  now: Date.now(),
  showScheduled: true,
});
const server = await serveApp(
  createApp({
    store: createMemoryStore(index, "screenshots", { now: () => Date.now(), showScheduled: true }),
    config,
  }),
);
const browser = await launchChromium();
try {
  mkdirSync(OUT, { recursive: true });
  for (const shot of SHOTS) {
    const context = await contextFor(browser, server.origin, {
      viewport: shot.viewport,
      colorScheme: shot.colorScheme,
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    await page.goto(`${server.origin}${shot.path}`);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `${OUT}/${shot.name}.png` });
    await context.close();
    console.log(`wrote ${OUT}/${shot.name}.png`);
  }
  // A blog on another origin with both embeds, as the README's guide shows them.
  const blog = createServer((_request, response) =>
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" })
      .end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A blog</title>
<style>body{font:16px/1.5 Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222;background:#fffdf7}feedloom-feed{--feedloom-link:#7a1f00;margin:1rem 0 2rem}
feedloom-feed::part(title){font-family:system-ui,sans-serif}</style></head><body>
<h1>My blog about robots</h1><p>The web component, in cards, styled by this page through custom properties and ::part():</p>
<script type="module" src="${server.origin}/embed.js"></script>
<feedloom-feed src="${server.origin}/topics/ai/feed.json" layout="cards" limit="3"></feedloom-feed>
<p>The iframe, sized to its content by the documented snippet:</p>
<iframe src="${server.origin}/embed/topics/ai/?limit=3" title="AI news" style="width:100%;border:0" loading="lazy"></iframe>
<script>addEventListener("message", (e) => { if (e.data?.type !== "feedloom:height") return; for (const f of document.querySelectorAll("iframe")) if (f.contentWindow === e.source) f.style.height = e.data.height + "px"; });</script>
</body></html>`),
  );
  blog.listen(0, "localhost");
  await once(blog, "listening");
  const blogOrigin = `http://localhost:${(blog.address() as AddressInfo).port}`;
  const context = await contextFor(browser, [server.origin, blogOrigin], {
    viewport: { width: 900, height: 1100 },
    colorScheme: "light",
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  await page.goto(`${blogOrigin}/`);
  await page.waitForFunction(
    () =>
      document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("li") &&
      (document.querySelector("iframe")?.getBoundingClientRect().height ?? 0) > 200,
  );
  await page.screenshot({ path: `${OUT}/embed-on-a-blog.png`, fullPage: true });
  await context.close();
  blog.close();
  console.log(`wrote ${OUT}/embed-on-a-blog.png`);
} finally {
  await browser.close();
  await server.close();
}
