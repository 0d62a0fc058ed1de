import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

describe("configuration from environment variables", () => {
  it("has defaults that serve the sample data", () => {
    expect(loadConfig({})).toEqual({
      siteTitle: "A.I. Every Day",
      siteDescription: "The latest news on artificial intelligence, every day.",
      language: "en",
      defaultLimit: 50,
      maxLimit: 200,
      cacheMaxAge: 300,
      includeUnpublished: false,
      allowedHosts: ["localhost", "127.0.0.1", "[::1]"],
      basePath: "",
      websubHubs: [],
      embedAncestors: "*",
      digestSize: 10,
      digestTimeZone: "UTC",
    });
  });

  it("reads every variable and normalises URLs", () => {
    const config = loadConfig({
      SITE_TITLE: "Robots Daily",
      SITE_URL: "https://robots.example/news/",
      FEED_LANGUAGE: "en-GB",
      SITE_ICON: "https://robots.example/icon.png",
      PUBLIC_URL: "https://feeds.robots.example/anything",
      FEED_LIMIT: "20",
      FEED_MAX_LIMIT: "100",
      CACHE_MAX_AGE: "60",
      INCLUDE_UNPUBLISHED: "yes",
    });
    expect(config).toMatchObject({
      siteTitle: "[Preview] Robots Daily",
      siteUrl: "https://robots.example/news",
      language: "en-GB",
      siteIcon: "https://robots.example/icon.png",
      publicUrl: "https://feeds.robots.example/anything",
      basePath: "/anything",
      defaultLimit: 20,
      maxLimit: 100,
      cacheMaxAge: 60,
      includeUnpublished: true,
    });
  });

  it.each([
    [{ SITE_URL: "everyday.cc" }, 'SITE_URL must be an absolute http(s) URL, got "everyday.cc"'],
    [
      { PUBLIC_URL: "ftp://x.example" },
      'PUBLIC_URL must be an absolute http(s) URL, got "ftp://x.example"',
    ],
    [
      { PUBLIC_URL: "https://x.example/feeds?v=1" },
      'PUBLIC_URL must be an address without a query or fragment, such as https://you.github.io/feeds, got "https://x.example/feeds?v=1"',
    ],
    [{ FEED_LIMIT: "0" }, 'FEED_LIMIT must be a whole number from 1 to 10000, got "0"'],
    [{ CACHE_MAX_AGE: "-5" }, 'CACHE_MAX_AGE must be a whole number from 0 to 31536000, got "-5"'],
    [{ FEED_LIMIT: "300" }, "FEED_LIMIT (300) must not be greater than FEED_MAX_LIMIT (200)"],
    [{ INCLUDE_UNPUBLISHED: "maybe" }, 'INCLUDE_UNPUBLISHED must be true or false, got "maybe"'],
    [
      { FEED_LANGUAGE: "English" },
      'FEED_LANGUAGE must be a language tag such as en or en-GB, got "English"',
    ],
  ])("refuses %j with a message naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
