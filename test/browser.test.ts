/**
 * The pages in a real headless Chromium: order, autodiscovery, hostile text,
 * accessibility (axe-core), no console errors, the page CSP, JavaScript off,
 * and a 320 px phone. Skipped, saying so, where Chromium is not installed
 * (.ci/run installs Debian's package).
 */
import type { Hono } from "hono";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkFeed } from "../src/feeds/check.js";
import { axeViolations, contextFor, hasChromium, launchChromium, serveApp } from "./browser.js";
import { DIGEST_FIXTURES, PROCESS_TEST_TIMEOUT, fixtureApp } from "./helpers.js";

/** No page at all: the not-found page a browser gets there is checked like every other page. */
const NOT_FOUND = "/no/such/page/";
/** A topic that does not exist: the same page, with what was wrong and the closest topic as a link. */
const NO_TOPIC = "/topics/aii/";
/** Digest pages: at TEST_NOW (28 November 2026), the digest fixtures' 2 November is a closed day. */
const DIGEST_PAGES = ["/digest/daily/2026-11-02/", "/topics/ai/digest/weekly/2026-W45/"];
const PAGES = [
  "/",
  "/topics/",
  "/providers/",
  "/topics/ai/",
  "/providers/hostile.example.org/",
  ...DIGEST_PAGES,
  NOT_FOUND,
  NO_TOPIC,
];
const MISSING = [NOT_FOUND, NO_TOPIC];

if (!hasChromium)
  console.warn(
    "browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)",
  );

// In CI (CI=true) the test runs regardless, so that a missing install fails loudly instead of skipping.
describe.skipIf(!hasChromium && !process.env.CI)(
  "the pages in Chromium",
  { timeout: PROCESS_TEST_TIMEOUT },
  () => {
    let browser: Browser;
    let server: Awaited<ReturnType<typeof serveApp>>;
    const fixtures = fixtureApp({}, [DIGEST_FIXTURES]);

    beforeAll(async () => {
      server = await serveApp((await fixtures).app);
      browser = await launchChromium();
    }, PROCESS_TEST_TIMEOUT);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    /** Opens a page in a fresh context, recording console errors, page errors and dialogs. */
    async function open(path: string, options: Parameters<typeof contextFor>[2] = {}) {
      const context = await contextFor(browser, server.origin, options);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on(
        "console",
        (message) => message.type() === "error" && problems.push(`console: ${message.text()}`),
      );
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("dialog", async (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        await dialog.dismiss();
      });
      const response = await page.goto(`${server.origin}${path}`);
      return { page, response, problems, close: () => context.close() };
    }

    const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

    it("renders the home page's newest articles and a topic's articles in order", async () => {
      const { index } = await fixtures;
      const home = await open("/");
      const dates = await home.page
        .locator("ol.articles time")
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("datetime")));
      expect(dates).toEqual(index.articles.slice(0, 10).map((article) => article.published));
      await home.close();
      const topic = await open("/topics/ai/");
      expect(await texts(topic.page, "ol.articles h3")).toEqual(
        index.topics.get("ai")!.articles.map((article) => article.title),
      );
      await topic.close();
    });

    it("names feeds that resolve and parse, in every page's rel=alternate links", async () => {
      for (const path of PAGES) {
        const { page, close } = await open(path);
        const links = await page.locator('link[rel="alternate"]').evaluateAll((nodes) =>
          nodes.map((node) => ({
            type: node.getAttribute("type")!,
            href: (node as HTMLLinkElement).href,
          })),
        );
        // The page's feeds; a topic's page and the home page add the daily and weekly digests.
        expect(links.length, path).toBe(
          path === "/" || (/^\/topics\/[^/]+\/$/.test(path) && !MISSING.includes(path)) ? 9 : 3,
        );
        for (const link of links) {
          const feed = await fetch(link.href);
          expect(feed.status, link.href).toBe(200);
          const format = link.type.includes("rss")
            ? "rss"
            : link.type.includes("atom")
              ? "atom"
              : "json";
          expect(checkFeed(format, await feed.text()).problems, link.href).toEqual([]);
        }
        await close();
      }
    });

    it("shows a hostile title as text, and no script of an article runs", async () => {
      const { page, problems, close } = await open("/providers/hostile.example.org/");
      const heading = await texts(page, "ol.articles h3");
      expect(heading[0]).toContain("<script>alert('x')</script>");
      expect(await page.locator("script").count()).toBe(1);
      expect(await page.locator("ol.articles a[href^='javascript:']").count()).toBe(0);
      expect(problems).toEqual([]);
      await close();
    });

    it.each(["light", "dark"] as const)(
      "has no axe-core violations, in %s mode",
      async (colorScheme) => {
        for (const path of PAGES) {
          // axe is injected as a script, which the page CSP (rightly) refuses: bypassed for this audit only.
          const { page, close } = await open(path, { bypassCSP: true, colorScheme });
          const violations = await axeViolations(page);
          expect(violations, `${path} (${colorScheme})`).toEqual([]);
          await close();
        }
      },
    );

    it("loads with no console error under its own strict CSP, with one h1 and landmarks", async () => {
      for (const path of PAGES) {
        const { page, response, problems, close } = await open(path);
        expect(response?.status(), path).toBe(MISSING.includes(path) ? 404 : 200);
        expect(response?.headers()["content-security-policy"], path).toContain("script-src 'self'");
        await page.waitForLoadState("networkidle");
        // Chromium reports the document's own 404 on the console; nothing else may appear.
        expect(problems, path).toEqual(
          MISSING.includes(path)
            ? [
                "console: Failed to load resource: the server responded with a status of 404 (Not Found)",
              ]
            : [],
        );
        expect(await page.locator("h1").count(), path).toBe(1);
        for (const landmark of ["header", "nav", "main", "footer"])
          expect(await page.locator(landmark).count(), `${path} ${landmark}`).toBeGreaterThan(0);
        await close();
      }
    });

    it("works with JavaScript off: the feed URLs are selectable fields, copy buttons stay hidden", async () => {
      const { page, close } = await open("/topics/ai/", { javaScriptEnabled: false });
      const fields = page.locator(".subscribe input[readonly]");
      expect(
        await fields.evaluateAll((nodes) => nodes.map((node) => (node as HTMLInputElement).value)),
      ).toEqual([
        `${server.origin}/topics/ai/feed.rss`,
        `${server.origin}/topics/ai/feed.atom`,
        `${server.origin}/topics/ai/feed.json`,
      ]);
      expect(await page.locator(".subscribe button:visible").count()).toBe(0);
      await close();
    });

    it("shows copy buttons with JavaScript on, and a click selects the URL", async () => {
      const { page, problems, close } = await open("/topics/ai/");
      const button = page.locator('button[data-copy="group-atom"]');
      await button.click();
      expect(
        await page.evaluate(
          () =>
            window.getSelection()?.toString() || (document.activeElement as HTMLInputElement).value,
        ),
      ).toBe(`${server.origin}/topics/ai/feed.atom`);
      expect(await button.textContent()).toMatch(/^(Copied|Selected: press Ctrl\+C)$/);
      expect(problems).toEqual([]);
      await close();
    });

    it("works under a base path (PUBLIC_URL with a path): styles, scripts, navigation and every link stay under it", async () => {
      // The app's address must name the port, known only once the server listens.
      let app: Pick<Hono, "fetch"> | undefined;
      const sub = await serveApp({ fetch: (request: Request) => app!.fetch(request) });
      app = (await fixtureApp({ PUBLIC_URL: `${sub.origin}/feeds` })).app;
      const context = await contextFor(browser, sub.origin);
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on(
          "console",
          (message) => message.type() === "error" && problems.push(`console: ${message.text()}`),
        );
        page.on(
          "response",
          (response) =>
            response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`),
        );
        await page.goto(`${sub.origin}/feeds/`);
        // The stylesheet applied (a grid or flex header), and the copy script ran (it reveals the buttons).
        expect(
          await page.evaluate(() => document.styleSheets[0]?.cssRules.length ?? 0),
        ).toBeGreaterThan(10);
        expect(await page.locator(".subscribe button:visible").count()).toBe(3);
        await page
          .getByRole("navigation", { name: "Main" })
          .getByRole("link", { name: "Topics" })
          .click();
        await page.waitForURL(`${sub.origin}/feeds/topics/`);
        await page.locator("table a", { hasText: "AI" }).first().click();
        await page.waitForURL(/\/feeds\/topics\/[^/]+\/$/);
        const links = await page
          .locator("a[href], link[href], script[src], form[action]")
          .evaluateAll((nodes) =>
            nodes.map(
              (node) =>
                (node as HTMLAnchorElement).href ||
                (node as HTMLScriptElement).src ||
                (node as HTMLFormElement).action,
            ),
          );
        const own = links.filter((url) => url.startsWith(sub.origin));
        expect(own.length).toBeGreaterThan(20);
        for (const url of own) {
          expect(url.startsWith(`${sub.origin}/feeds/`), url).toBe(true);
          expect((await fetch(url)).status, url).toBe(200);
        }
        expect(problems).toEqual([]);
      } finally {
        await context.close();
        await sub.close();
      }
    });

    it("fits a 320 px wide phone without sideways scrolling", async () => {
      for (const path of PAGES) {
        const { page, close } = await open(path, {
          viewport: { width: 320, height: 640 },
          isMobile: true,
        });
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth),
          path,
        ).toBeLessThanOrEqual(320);
        await close();
      }
    });
  },
);
