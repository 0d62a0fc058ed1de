/**
 * The statistics page in a real headless Chromium: sign in through the form
 * (the cookie it sets is HttpOnly: no script can read it), then the table and
 * its server-drawn SVG charts, with no console error under the pages' CSP and
 * no axe-core violation in light or dark. Skipped where Chromium is missing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/http/app.js";
import { createStatsCounter } from "../src/stats/counter.js";
import { statsRoutes } from "../src/stats/routes.js";
import { openSqliteFile, statsMigrations } from "../src/stats/sqlite-file.js";
import { createStatsStore } from "../src/stats/store.js";
import { axeViolations, contextFor, hasChromium, launchChromium, serveApp } from "./browser.js";
import { PROCESS_TEST_TIMEOUT, fixtureApp } from "./helpers.js";

const TOKEN = "browser-test-token-0123456789";

describe.skipIf(!hasChromium && !process.env.CI)(
  "the statistics page in Chromium",
  { timeout: PROCESS_TEST_TIMEOUT },
  () => {
    const state = mkdtempSync(join(tmpdir(), "feedloom-stats-browser-"));
    let browser: Browser;
    let server: Awaited<ReturnType<typeof serveApp>>;

    beforeAll(async () => {
      const { store: content, config } = await fixtureApp();
      const store = createStatsStore(await openSqliteFile(state, statsMigrations()), {
        retentionDays: 90,
        claimCeiling: 1000,
      });
      const counter = createStatsCounter(store, "");
      // Forty days of a growing Feedly count and a few readers, ending today.
      const today = Date.now();
      for (let day = 40; day >= 0; day--) {
        const at = today - day * 86_400_000;
        await counter.count({
          path: "/feed.rss",
          status: 200,
          userAgent: `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${100 + 3 * (40 - day)} subscribers; )`,
          address: "203.0.113.1",
          at,
        });
        if (day % 4 === 0)
          await counter.count({
            path: "/topics/ai/feed.atom",
            status: 304,
            userAgent: "Newsboat/2.36 (Linux x86_64)",
            address: `192.0.2.${day}`,
            at,
          });
      }
      // A feed first read today: one day of data, drawn as a dot.
      await counter.count({
        path: "/feed.json",
        status: 200,
        userAgent: "NetNewsWire (RSS Reader; https://netnewswire.com/)",
        address: "198.51.100.7",
        at: today,
      });
      server = await serveApp(
        createApp({ store: content, config, extensions: [statsRoutes({ token: TOKEN, store })] }),
      );
      browser = await launchChromium();
    }, PROCESS_TEST_TIMEOUT);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      rmSync(state, { recursive: true, force: true });
    });

    it("signs in with the token, and shows every feed with a chart, under the CSP", async () => {
      const context = await contextFor(browser, server.origin);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
      const form = await page.goto(`${server.origin}/stats/`);
      expect(form?.status()).toBe(401);
      await page.fill("#token", TOKEN);
      await Promise.all([
        page.waitForURL(`${server.origin}/stats/`),
        page.click("button[type=submit]"),
      ]);
      expect(await page.locator("h1").textContent()).toBe("Subscribers");
      expect(await page.locator("tbody tr").count()).toBe(3);
      // Each feed by what it is, its path beside.
      expect(await page.locator("tbody th a").allTextContents()).toEqual([
        "Everything (RSS)",
        "AI (Atom)",
        "Everything (JSON Feed)",
      ]);
      expect(await page.locator("tbody tr").first().locator("td").first().textContent()).toBe(
        "220",
      );
      expect(await page.locator("svg[role=img] polyline").count()).toBe(2);
      expect(await page.locator("svg[role=img] circle").count()).toBe(1);
      expect(await page.locator("svg[role=img]").first().locator("text").allTextContents()).toEqual(
        ["220", expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), "today"],
      );
      // The session cookie is out of scripts' reach.
      expect(await page.evaluate(() => document.cookie)).toBe("");
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({
        name: "feedloom_stats",
        httpOnly: true,
        secure: true,
        sameSite: "Strict",
      });
      // Problems other than the sign-in form's own 401, which Chromium reports on the console.
      expect(problems.filter((text) => !text.includes("status of 401"))).toEqual([]);
      await context.close();
    });

    it("fits a phone (390 px): nothing but the table scrolls sideways, and its caption reads whole", async () => {
      const context = await contextFor(browser, server.origin, {
        viewport: { width: 390, height: 844 },
        extraHTTPHeaders: { Authorization: `Bearer ${TOKEN}` },
      });
      const page = await context.newPage();
      await page.goto(`${server.origin}/stats/`);
      const fit = await page.evaluate(() => {
        const caption = document.querySelector("caption")!;
        const range = document.createRange();
        range.selectNodeContents(caption);
        return {
          pageWidth: document.documentElement.scrollWidth,
          captionRight: range.getBoundingClientRect().right,
          viewport: window.innerWidth,
        };
      });
      expect(fit.pageWidth).toBeLessThanOrEqual(fit.viewport);
      expect(fit.captionRight).toBeLessThanOrEqual(fit.viewport);
      // Sign out is a styled button, as the site's other form buttons are.
      const signOut = page.locator("button[name=signout]");
      expect(await signOut.evaluate((button) => getComputedStyle(button).borderRadius)).not.toBe(
        "0px",
      );
      await context.close();
    });

    it.each(["light", "dark"] as const)(
      "has no axe-core violations, signed in and not, in %s mode",
      async (colorScheme) => {
        const context = await contextFor(browser, server.origin, {
          bypassCSP: true,
          colorScheme,
          extraHTTPHeaders: {},
        });
        for (const signedIn of [false, true]) {
          const page = await context.newPage();
          if (signedIn) await page.setExtraHTTPHeaders({ Authorization: `Bearer ${TOKEN}` });
          await page.goto(`${server.origin}/stats/`);
          const violations = await axeViolations(page);
          expect(violations, `signed in: ${signedIn}`).toEqual([]);
          await page.close();
        }
        await context.close();
      },
    );
  },
);
