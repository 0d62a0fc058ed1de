/**
 * IndieAuth's consent page in a real headless Chromium, as an operator meets
 * it on a phone: it fits 390 px, has no axe-core violation in light or dark,
 * and approving sends the browser on to the client's redirect with a code,
 * which Chromium allows only because the page's CSP names that one origin
 * beside this site in form-action. Skipped where Chromium is missing.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type LiveSite, startLiveSite } from "../src/entry/live-site.js";
import { axeViolations, contextFor, hasChromium, launchChromium, serveApp } from "./browser.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT } from "./helpers.js";

const SECRET = "indieauth-browser-secret-thirty-two";
const CLIENT = "https://quill.example.net/";

describe.skipIf(!hasChromium && !process.env.CI)(
  "the IndieAuth consent page in Chromium",
  { timeout: PROCESS_TEST_TIMEOUT },
  () => {
    const work = mkdtempSync(join(tmpdir(), "feedloom-indieauth-browser-"));
    let site: LiveSite;
    let browser: Browser;
    let server: Awaited<ReturnType<typeof serveApp>>;
    const consentUrl = () =>
      `${server.origin}/auth?${new URLSearchParams({
        response_type: "code",
        client_id: CLIENT,
        redirect_uri: `${CLIENT}callback`,
        state: "state-of-the-client",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
        scope: "create update",
      })}`;

    beforeAll(async () => {
      cpSync(FIXTURES, join(work, "data"), { recursive: true });
      site = await startLiveSite({
        dir: join(work, "data"),
        config: loadConfig({}),
        env: {
          API_TOKENS: `quill:create,update:${SECRET}`,
          DATA_WATCH: "false",
          STATE_DIR: join(work, "state"),
          FEEDLOOM_CACHE_DIR: "off",
        },
      });
      server = await serveApp({ fetch: (request: Request) => site.fetch(request) });
      browser = await launchChromium();
    }, PROCESS_TEST_TIMEOUT);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
      site?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it("fits a phone, and approving goes on to the client with a code", async () => {
      const context = await contextFor(browser, server.origin, {
        viewport: { width: 390, height: 844 },
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
      expect((await page.goto(consentUrl()))?.status()).toBe(200);
      expect(await page.locator("h1").textContent()).toBe("Sign in to publish");
      expect(await page.locator(".lead").first().textContent()).toContain(
        "quill.example.net asks to create, update articles on",
      );
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).toBe(true);
      await page.fill("#token", SECRET);
      const [redirected] = await Promise.all([
        page.waitForRequest((request) => request.url().startsWith(`${CLIENT}callback`)),
        page.click("button[value=approve]"),
      ]);
      const back = new URL(redirected.url());
      expect(back.searchParams.get("code")).toMatch(/^flc\./);
      expect(back.searchParams.get("state")).toBe("state-of-the-client");
      expect(back.searchParams.get("iss")).toBe(`${server.origin}/`);
      expect(problems).toEqual([]);
      await context.close();
    });

    it.each(["light", "dark"] as const)("has no axe-core violations in %s mode", async (scheme) => {
      const context = await contextFor(browser, server.origin, {
        bypassCSP: true,
        colorScheme: scheme,
      });
      const page = await context.newPage();
      await page.goto(consentUrl());
      const violations = await axeViolations(page);
      expect(violations).toEqual([]);
      await context.close();
    });
  },
);
