/**
 * `npm run screenshots`: the pages of the sample data (drafts included, so that
 * there is something to see) in Debian's Chromium, desktop and phone, light and
 * dark, written to docs/screenshots/ for the README. Thumbnails are grey
 * placeholders: this machine reaches no image host.
 */
import { mkdirSync } from "node:fs";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { loadIndexFromDir } from "../src/runtime/load.js";
import { contextFor, launchChromium, serveApp } from "./browser.js";

const OUT = "docs/screenshots";
const SHOTS = [
  { name: "home-desktop-light", path: "/", viewport: { width: 1280, height: 1000 }, colorScheme: "light" },
  { name: "home-desktop-dark", path: "/", viewport: { width: 1280, height: 1000 }, colorScheme: "dark" },
  { name: "topic-phone-light", path: "/topics/ai/", viewport: { width: 390, height: 844 }, colorScheme: "light" },
  { name: "topic-phone-dark", path: "/topics/ai/", viewport: { width: 390, height: 844 }, colorScheme: "dark" },
] as const;

const config = loadConfig({ INCLUDE_UNPUBLISHED: "true" });
const { index } = await loadIndexFromDir("data", { includeUnpublished: true });
const server = await serveApp(createApp({ store: createMemoryStore(index, "screenshots"), config }));
const browser = await launchChromium();
try {
  mkdirSync(OUT, { recursive: true });
  for (const shot of SHOTS) {
    const context = await contextFor(browser, server.origin, { viewport: shot.viewport, colorScheme: shot.colorScheme, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${server.origin}${shot.path}`);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: `${OUT}/${shot.name}.png` });
    await context.close();
    console.log(`wrote ${OUT}/${shot.name}.png`);
  }
} finally {
  await browser.close();
  await server.close();
}
