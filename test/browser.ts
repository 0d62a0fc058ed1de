/**
 * A real browser for the page tests and the screenshots: Debian's Chromium
 * driven by playwright-core (which cannot download browsers here), and an app
 * served on a real port. Outside hosts (article thumbnails) are answered with
 * a grey placeholder, since this machine reaches no network: nothing a page
 * asks for fails for reasons of the machine.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
  chromium,
} from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Serves `app` on 127.0.0.1 at a free port. */
export async function serveApp(
  app: Pick<Hono, "fetch">,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// A 1x1 grey PNG.
const PLACEHOLDER = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4BwAA3gDdvZm/9wAAAABJRU5ErkJggg==",
  "base64",
);

/** A context in which every host but the given origins (real servers) answers with the placeholder image. */
export async function contextFor(
  browser: Browser,
  origins: string | readonly string[],
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const real = new Set(typeof origins === "string" ? [origins] : origins);
  const context = await browser.newContext(options);
  await context.route(
    (url) => !real.has(url.origin),
    (route) => route.fulfill({ status: 200, contentType: "image/png", body: PLACEHOLDER }),
  );
  return context;
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/**
 * axe-core's violations on the page, one line each (rule and elements). axe is injected as a
 * script, which the pages' CSP (rightly) refuses: open the page with `bypassCSP` for the audit.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe.run();
    return result.violations.map(
      (violation) =>
        `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
  });
}
