/**
 * Embedding, as a site owner does it: a host page on another origin (another
 * host name and port) pastes the snippets our pages print, in Chromium. Both
 * the web component and the iframe; a hostile feed; a strict host CSP; a
 * missing feed; and the rule that only /embed/ pages may be framed.
 */
import { once } from "node:events";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { decode } from "html-entities";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextFor, hasChromium, launchChromium, serveApp } from "./browser.js";
import { PROCESS_TEST_TIMEOUT, fixtureApp, DIGEST_FIXTURES } from "./helpers.js";

/** A JSON Feed written to do harm: markup in every text, script URLs, a huge title. */
const HOSTILE_FEED = {
  version: "https://jsonfeed.org/version/1.1",
  title: "Hostile",
  items: [
    {
      id: "1",
      url: "javascript:window.pwned=true",
      title: '<img src=x onerror="window.pwned=true">Markup title',
      summary: "<script>window.pwned=true</script>",
      date_published: "2024-01-01T00:00:00Z",
      image: "javascript:alert(1)",
      authors: [{ name: "<b>Bold</b>" }],
    },
    {
      id: "2",
      url: "data:text/html,<script>alert(1)</script>",
      title: "x".repeat(50_000),
      date_published: "not a date",
    },
    { id: "3", url: "https://example.org/fine", title: "A fine item", summary: "Plain text." },
  ],
};

/** A feed whose one item has an image that is not there (the host answers 404 for it). */
const FLAKY_FEED = (origin: string) => ({
  version: "https://jsonfeed.org/version/1.1",
  title: "Flaky",
  items: [
    {
      id: "1",
      url: "https://example.org/story",
      title: "Back after a busy moment",
      date_published: "2024-01-01T00:00:00Z",
      image: `${origin}/missing.png`,
    },
  ],
});

// In CI (CI=true) the test runs regardless, so that a missing install fails loudly instead of skipping.
describe.skipIf(!hasChromium && !process.env.CI)(
  "embedding in Chromium, from another origin",
  { timeout: PROCESS_TEST_TIMEOUT },
  () => {
    let browser: Browser;
    let feeds: Awaited<ReturnType<typeof serveApp>>;
    let host: Server;
    let hostOrigin: string;
    let flakyAsked = 0;
    const pages = new Map<string, { html: string; csp?: string }>();
    const fixtures = fixtureApp({}, [DIGEST_FIXTURES]);

    beforeAll(async () => {
      feeds = await serveApp((await fixtures).app);
      host = createServer((request, response) => {
        if (request.url === "/flaky.json") {
          // Busy at first, as a server shedding load says: 503 with Retry-After, then the feed.
          flakyAsked++;
          if (flakyAsked === 1)
            return void response
              .writeHead(503, { "Retry-After": "1", "Access-Control-Allow-Origin": "*" })
              .end();
          response
            .writeHead(200, {
              "Content-Type": "application/feed+json",
              "Access-Control-Allow-Origin": "*",
            })
            .end(JSON.stringify(FLAKY_FEED(hostOrigin)));
          return;
        }
        if (request.url === "/hostile.json") {
          response
            .writeHead(200, {
              "Content-Type": "application/feed+json",
              "Access-Control-Allow-Origin": "*",
            })
            .end(JSON.stringify(HOSTILE_FEED));
          return;
        }
        const page = pages.get(request.url ?? "");
        if (!page) return void response.writeHead(404).end();
        response
          .writeHead(200, {
            "Content-Type": "text/html; charset=utf-8",
            ...(page.csp ? { "Content-Security-Policy": page.csp } : {}),
          })
          .end(page.html);
      });
      host.listen(0, "localhost");
      await once(host, "listening");
      hostOrigin = `http://localhost:${(host.address() as AddressInfo).port}`;
      browser = await launchChromium();

      // The snippets exactly as the topic page prints them for site owners.
      const topicPage = await (await fetch(`${feeds.origin}/topics/ai/`)).text();
      const [component, iframe] = [
        ...topicPage.matchAll(/<pre tabindex="0"><code>([\s\S]*?)<\/code><\/pre>/g),
      ].map((match) => decode(match[1]));
      const wrap = (body: string) =>
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A blog</title></head><body><h1>A blog</h1>${body}</body></html>`;
      pages.set("/component.html", {
        html: wrap(
          `${component}\n<feedloom-feed id="second" src="${feeds.origin}/feed.json" layout="cards" limit="4"></feedloom-feed>`,
        ),
      });
      pages.set("/iframe.html", { html: wrap(iframe) });
      pages.set("/strict.html", {
        html: wrap(component),
        csp: `default-src 'none'; script-src ${feeds.origin}; connect-src ${feeds.origin}; img-src https:`,
      });
      pages.set("/hostile.html", {
        html: wrap(
          `<script>window.pwned = false</script><script type="module" src="${feeds.origin}/embed.js"></script><feedloom-feed src="${hostOrigin}/hostile.json" image excerpt></feedloom-feed>`,
        ),
      });
      pages.set("/flaky.html", {
        html: wrap(
          `<script type="module" src="${feeds.origin}/embed.js"></script><feedloom-feed src="${hostOrigin}/flaky.json" image></feedloom-feed>`,
        ),
      });
      pages.set("/missing.html", {
        html: wrap(
          `<script type="module" src="${feeds.origin}/embed.js"></script><feedloom-feed src="${feeds.origin}/topics/no-such-topic/feed.json"></feedloom-feed>`,
        ),
      });
      pages.set("/digest.html", {
        html: wrap(
          `<script type="module" src="${feeds.origin}/embed.js"></script><feedloom-feed src="${feeds.origin}/digest/weekly.json"></feedloom-feed>`,
        ),
      });
      pages.set("/framed.html", {
        html: wrap(`<iframe id="page" src="${feeds.origin}/topics/ai/"></iframe>`),
      });
    }, PROCESS_TEST_TIMEOUT);

    afterAll(async () => {
      await browser?.close();
      await feeds?.close();
      host?.close();
    });

    async function open(path: string) {
      const context = await contextFor(browser, [hostOrigin, feeds.origin]);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("dialog", async (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        await dialog.dismiss();
      });
      await page.goto(`${hostOrigin}${path}`);
      return { page, problems, close: () => context.close() };
    }

    /** Titles as the widget shows them: whitespace runs folded to one space. */
    const folded = (titles: string[]) => titles.map((title) => title.replace(/\s+/g, " ").trim());
    const widgetItems = (page: Page, selector = "feedloom-feed") =>
      page
        .locator(selector)
        .first()
        .evaluate((element) =>
          [...(element.shadowRoot?.querySelectorAll("li [part=title]") ?? [])].map(
            (node) => node.textContent,
          ),
        );

    it("the web component shows a topic's items in order, and a second widget beside it", async () => {
      const { index } = await fixtures;
      const { page, problems, close } = await open("/component.html");
      await page.waitForFunction(() =>
        document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("ol"),
      );
      expect(await widgetItems(page)).toEqual(
        folded(
          index.topics
            .get("ai")!
            .articles.slice(0, 5)
            .map((article) => article.title),
        ),
      );
      await page.waitForFunction(
        () => document.querySelector("#second")?.shadowRoot?.querySelectorAll("li").length === 4,
      );
      expect(await widgetItems(page, "#second")).toEqual(
        folded(index.articles.slice(0, 4).map((article) => article.title)),
      );
      expect(problems).toEqual([]);
      await close();
    });

    it("shows a digest as one line per period, each linking the period's page", async () => {
      const { app } = await fixtures;
      const digest = (await (await app.request("/digest/weekly.json")).json()) as {
        items: { title: string; url: string }[];
      };
      expect(digest.items.length).toBeGreaterThan(0);
      const { page, problems, close } = await open("/digest.html");
      await page.waitForFunction(() =>
        document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("ol"),
      );
      expect(await widgetItems(page)).toEqual(
        folded(digest.items.slice(0, 5).map((item) => item.title)),
      );
      const links = await page
        .locator("feedloom-feed")
        .evaluate((element) =>
          [
            ...(element.shadowRoot?.querySelectorAll("li a[part=title], li [part=title] a, li a") ??
              []),
          ].map((node) => (node as HTMLAnchorElement).href),
        );
      expect(links).toContain(digest.items[0].url.replace("http://localhost", feeds.origin));
      expect(problems).toEqual([]);
      await close();
    });

    it("renders under a host's strict CSP that allows only our script and fetches", async () => {
      const { page, problems, close } = await open("/strict.html");
      await page.waitForFunction(
        () =>
          document.querySelector("feedloom-feed")?.shadowRoot?.querySelectorAll("li").length === 5,
      );
      const styled = await page
        .locator("feedloom-feed")
        .evaluate((element) => element.shadowRoot!.adoptedStyleSheets.length);
      expect(styled).toBe(1);
      expect(problems).toEqual([]);
      await close();
    });

    it("shows a hostile feed as text: no script runs, no link leads anywhere but http(s)", async () => {
      const { page, problems, close } = await open("/hostile.html");
      await page.waitForFunction(() =>
        document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("ol"),
      );
      const widget = page.locator("feedloom-feed");
      const found = await widget.evaluate((element) => {
        const root = element.shadowRoot!;
        return {
          titles: [...root.querySelectorAll("[part=title]")].map((node) => node.textContent!),
          hrefs: [...root.querySelectorAll("a")].map((node) => node.getAttribute("href")),
          images: root.querySelectorAll("img").length,
          scripts: root.querySelectorAll("script").length,
          bold: root.querySelectorAll("b").length,
        };
      });
      expect(found.titles[0]).toBe('<img src=x onerror="window.pwned=true">Markup title');
      expect(found.titles[1].length).toBeLessThanOrEqual(400);
      expect(found.hrefs).toEqual(["https://example.org/fine"]);
      expect(found).toMatchObject({ images: 0, scripts: 0, bold: 0 });
      expect(await page.evaluate(() => (window as unknown as { pwned: boolean }).pwned)).toBe(
        false,
      );
      expect(problems).toEqual([]);
      await close();
    });

    it("waits as a busy server's Retry-After says, drops an image that fails, and dates as the pages do", async () => {
      const { page, problems, close } = await open("/flaky.html");
      await page.waitForFunction(() =>
        document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("ol"),
      );
      // The image's failure arrives after the list: wait for it to be gone.
      await page.waitForFunction(
        () => !document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("img"),
      );
      const shown = await page.locator("feedloom-feed").evaluate((element) => ({
        title: element.shadowRoot!.querySelector("[part=title]")!.textContent,
        date: element.shadowRoot!.querySelector("time")!.textContent,
      }));
      expect(shown).toEqual({ title: "Back after a busy moment", date: "1 Jan 2024" });
      expect(flakyAsked).toBe(2);
      // The browser logs the 503 and the missing image itself; nothing else may appear.
      expect(problems.filter((problem) => !/503|404/.test(problem))).toEqual([]);
      await close();
    });

    it("shows an error with a link to the feed, never a blank box, when the feed is missing", async () => {
      const { page, problems, close } = await open("/missing.html");
      await page.waitForFunction(() =>
        document.querySelector("feedloom-feed")?.shadowRoot?.querySelector("[part=status] a"),
      );
      const status = await page.locator("feedloom-feed").evaluate((element) => {
        const node = element.shadowRoot!.querySelector("[part=status]")!;
        return { text: node.textContent, href: node.querySelector("a")!.getAttribute("href") };
      });
      expect(status).toEqual({
        text: "This feed could not be loaded. Open the feed",
        href: `${feeds.origin}/topics/no-such-topic/feed.json`,
      });
      // The browser itself logs the 404; nothing else may appear.
      expect(problems.filter((problem) => !/404/.test(problem))).toEqual([]);
      await close();
    });

    it("the iframe shows the topic without script, and the documented snippet sizes it to its content", async () => {
      const { index } = await fixtures;
      const { page, problems, close } = await open("/iframe.html");
      const frameElement = page.locator("iframe");
      await page.waitForFunction(
        () => (document.querySelector("iframe")?.getBoundingClientRect().height ?? 0) > 200,
      );
      const frame = (await frameElement.elementHandle())!.contentFrame() as Promise<Frame | null>;
      const inner = (await frame)!;
      expect(await inner.locator("ol.articles h2").allTextContents()).toEqual(
        index.topics
          .get("ai")!
          .articles.slice(0, 5)
          .map((article) => article.title),
      );
      const [outer, content] = [
        await frameElement.evaluate((node) => node.getBoundingClientRect().height),
        await inner.evaluate(() => document.documentElement.scrollHeight),
      ];
      expect(Math.abs(outer - content)).toBeLessThanOrEqual(2);
      expect(problems).toEqual([]);
      await close();
    });

    it("refuses to be framed anywhere but the /embed/ pages", async () => {
      const { page, problems, close } = await open("/framed.html");
      await page.waitForTimeout(300);
      const framed = page.frames().find((frame) => frame.url().startsWith(feeds.origin));
      const blocked =
        !framed ||
        (await framed
          .evaluate(() => document.querySelector("h1")?.textContent ?? null)
          .catch(() => null)) === null;
      expect(blocked).toBe(true);
      expect(
        problems.some((problem) => /frame-ancestors|Refused to (frame|display)/i.test(problem)),
      ).toBe(true);
      await close();
    });
  },
);
