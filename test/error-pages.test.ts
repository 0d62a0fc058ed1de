/**
 * What a refusal looks like: a browser gets the site's own page, with what
 * was wrong and the closest matches as links; a feed reader or a script
 * gets the line of text it always got. Under a PUBLIC_URL path, an address
 * outside it says where the service is.
 */
import { describe, expect, it } from "vitest";
import { fixtureApp, htmlProblems } from "./helpers.js";

const asBrowser = { headers: { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" } };

describe("refusals", () => {
  it("are a page of the site for a browser, naming what was wrong, with the closest topic as a link", async () => {
    const { app } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.com/news" });
    const response = await app.request("https://feeds.example.com/news/topics/aii/", asBrowser);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain('<p class="lead">No topic &quot;aii&quot;.</p>');
    expect(html).toContain('<a href="/news/topics/ai/">ai</a>');
    expect(html).toContain('<a href="/news/topics/">all topics</a>');
    expect(html).not.toContain("topics.json");
    expect(await htmlProblems(html)).toEqual([]);
    // The rest of the path is kept: a feed page of a misspelt topic leads to that page of the right one.
    const paged = await app.request("https://feeds.example.com/news/topics/aii/page/2/", asBrowser);
    expect(await paged.text()).toContain('<a href="/news/topics/ai/page/2/">ai</a>');
    const pastTheEnd = await app.request(
      "https://feeds.example.com/news/topics/page/9/",
      asBrowser,
    );
    expect([pastTheEnd.status, await pastTheEnd.text()]).toEqual([
      404,
      expect.stringContaining("Page 9 of topics does not exist: there are 1."),
    ]);
  });

  it("stay text for readers and scripts", async () => {
    const { app } = await fixtureApp();
    const reader = await app.request("/topics/aii/feed.rss", asBrowser);
    expect([reader.status, reader.headers.get("content-type")]).toEqual([
      404,
      "text/plain; charset=utf-8",
    ]);
    expect(await (await app.request("/topics/aii/")).text()).toBe(
      '404 no topic "aii". Closest: ai. All topics: /topics.json\n',
    );
  });

  it("outside a PUBLIC_URL path, say where the service answers instead of contradicting themselves", async () => {
    const { app } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.com/news" });
    const outside = await (await app.request("https://feeds.example.com/")).text();
    expect(outside).toBe(
      "404 / is not here: this service answers under /news/ (the path of PUBLIC_URL); its home page is /news/\n",
    );
    const inside = await (await app.request("https://feeds.example.com/news/nothing")).text();
    expect(inside).toMatch(/^404 \/news\/nothing is not here\. Pages: \/news\/, \/news\/topics\//);
  });
});
