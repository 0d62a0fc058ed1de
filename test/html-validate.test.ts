/**
 * Every kind of page through an HTML validator (html-validate): the HTML
 * standard's rules, its accessibility rules, and heading levels in order (it
 * found the embed pages' h1 followed by h3). Its "recommended" preset adds
 * serialisation style (`<meta/>` against `<meta>`), which is no error.
 */
import { describe, expect, it } from "vitest";
import {
  DIGEST_FIXTURES,
  fixtureApp,
  htmlProblems,
  htmlValidator as validator,
} from "./helpers.js";

// At TEST_NOW (28 November 2026) the digest fixtures' 2 November is a closed day, in the week 2026-W45.
const PAGES = [
  "/",
  "/topics/",
  "/providers/?sort=count&q=e",
  "/topics/ai/",
  "/providers/hostile.example.org/",
  "/digest/daily/2026-11-02/",
  "/topics/ai/digest/weekly/2026-W45/",
  "/embed/",
  "/embed/topics/ai/?layout=cards&image=true&excerpt=true",
  "/no/such/page/",
];

describe("the pages in an HTML validator", async () => {
  const { app } = await fixtureApp({}, [DIGEST_FIXTURES]);
  it.each(PAGES)("%s has no error", async (path) => {
    const response = await app.request(`http://localhost${path}`, {
      headers: { Accept: "text/html" },
    });
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await htmlProblems(await response.text())).toEqual([]);
  });

  it("would catch a skipped heading level", async () => {
    const report = await validator.validateString(
      '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main><h1>a</h1><h3>b</h3></main></body></html>',
    );
    expect(
      report.results.flatMap((result) => result.messages.map((message) => message.ruleId)),
    ).toContain("heading-level");
  });
});
