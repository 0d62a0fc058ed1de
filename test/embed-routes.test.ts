/** The embed routes through app.request(); the browser tests are in embed.test.ts. */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { EMBED_COMPONENT } from "../src/http/embed/component.js";
import { embedOptions } from "../src/http/embed/routes.js";
import { fixtureApp } from "./helpers.js";

const { app, index } = await fixtureApp();

describe("framing", () => {
  it("lets anyone frame the /embed/ pages by default, and nothing else", async () => {
    const embed = await app.request("http://localhost/embed/topics/ai/");
    expect(embed.status).toBe(200);
    expect(embed.headers.get("content-security-policy")).toMatch(/frame-ancestors \*$/);
    expect(embed.headers.get("x-frame-options")).toBeNull();
    for (const path of ["/", "/topics/ai/", "/feed.rss", "/embed.js"]) {
      const response = await app.request(`http://localhost${path}`);
      expect(response.headers.get("content-security-policy"), path).toMatch(
        /frame-ancestors 'none'/,
      );
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("takes an allow-list of origins from EMBED_ANCESTORS, and refuses anything else there", async () => {
    const { app: listed } = await fixtureApp({
      EMBED_ANCESTORS: "https://blog.example.com, https://*.example.org",
    });
    expect(
      (await listed.request("http://localhost/embed/")).headers.get("content-security-policy"),
    ).toMatch(/frame-ancestors https:\/\/blog\.example\.com https:\/\/\*\.example\.org$/);
    expect(() => loadConfig({ EMBED_ANCESTORS: "'self'; script-src *" })).toThrow(
      /EMBED_ANCESTORS must be \* or origins/,
    );
  });
});

describe("the iframe pages", () => {
  it("show the newest articles with the widget's options, links opening outside the frame", async () => {
    const body = await (await app.request("http://localhost/embed/?limit=2&date=false")).text();
    expect(
      [...body.matchAll(/<h2><a href="([^"]+)" target="_blank" rel="noopener">/g)].map(
        (match) => match[1],
      ),
    ).toEqual(index.articles.slice(0, 2).map((article) => article.url));
    // Headings in order, no level skipped (an HTML validator flagged h1 then h3): the page's h1, then each title an h2.
    expect([...body.matchAll(/<h(\d)/g)].map((match) => Number(match[1]))).toEqual([
      1,
      ...index.articles.slice(0, 2).map(() => 2),
    ]);
    expect(body).not.toContain("<time");
    expect(body).not.toMatch(/<script>/);
  });

  it.each([
    ["limit=0", /^limit: must be a whole number from 1 to 50/],
    ["layout=grid", /^layout: must be list or cards/],
    ["image=maybe", /^image: must be true or false/],
  ])("refuse %s with a 400 that says what to fix", async (query, message) => {
    const response = await app.request(`http://localhost/embed/?${query}`);
    expect(response.status).toBe(400);
    expect((await response.text()).replace(/^400 /, "")).toMatch(message);
  });

  it("redirect a topic's name to its key under /embed/", async () => {
    expect(
      (await app.request("http://localhost/embed/topics/AI%20Hardware/?limit=3")).headers.get(
        "location",
      ),
    ).toBe("/embed/topics/ai-hardware/?limit=3");
  });

  it("share their defaults with the component: images and excerpts in cards, date and provider always", () => {
    expect(embedOptions(new URLSearchParams(""))).toEqual({
      limit: 5,
      layout: "list",
      image: false,
      excerpt: false,
      date: true,
      provider: true,
    });
    expect(embedOptions(new URLSearchParams("layout=cards"))).toMatchObject({
      image: true,
      excerpt: true,
    });
  });
});

describe("embed.js", () => {
  it("is an ES module within its 5 KB gzipped budget that never writes feed data as HTML", async () => {
    const response = await app.request("http://localhost/embed.js");
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.text()).toBe(EMBED_COMPONENT);
    expect(gzipSync(EMBED_COMPONENT, { level: 9 }).byteLength).toBeLessThanOrEqual(5 * 1024);
    expect(EMBED_COMPONENT).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/,
    );
  });
});
