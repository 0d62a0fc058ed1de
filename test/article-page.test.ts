/**
 * One article's page (`/articles/{uuid}/`), where fediverse posts link: what
 * the story is and where to read it, valid HTML, nothing of the article live
 * as markup, and a 404 for an id that is not published (yet).
 */
import { describe, expect, it } from "vitest";
import { articlePath } from "../src/scheme/paths.js";
import { fixtureApp, htmlProblems } from "./helpers.js";

describe("the article page", () => {
  it("shows the title, provider, date, excerpt and the link to read it, as valid HTML", async () => {
    const { app, index } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.org" });
    const article = index.articles.find((one) => one.summary && one.topics.length > 0)!;
    const response = await app.request(`https://feeds.example.org${articlePath(article.id)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(await htmlProblems(html)).toEqual([]);
    const text = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    expect(html).toContain(`<h1>${text(article.title)}</h1>`);
    expect(html).toContain(`>${text(article.provider.name)}</a>`);
    expect(html).toContain(`datetime="${article.published}"`);
    expect(html).toContain(`href="${article.url.replace(/&/g, "&amp;")}">Read it at`);
    expect(html).toContain(`<link rel="canonical" href="${article.url.replace(/&/g, "&amp;")}"`);
  });

  it("escapes what the article says (the hostile fixture), and refuses an id that is not published", async () => {
    const { app, index } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.org" });
    expect(index.articles.some((article) => article.title.startsWith("<script>"))).toBe(true);
    for (const article of index.articles) {
      const html = await (
        await app.request(`https://feeds.example.org${articlePath(article.id)}`)
      ).text();
      // The hostile fixture's markup shows as text, never as tags.
      for (const markup of ["<script>alert", "<img src=x", "<b>bold", "</a><script>"])
        expect(html).not.toContain(markup);
    }
    const missing = await app.request(
      "https://feeds.example.org/articles/00000000-0000-5000-8000-000000000000/",
    );
    expect(missing.status).toBe(404);
  });
});
