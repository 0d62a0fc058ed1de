/** A synthetic corpus for the D1 tests, plain data so that both Node (the seed) and workerd (the comparisons) build it. */
import type { Article } from "../src/content/article.js";
import { urlUrn } from "../src/content/keys.js";

/** 3,000 articles: every one in "ai", a tenth in "rare", 60 providers; dates one hour apart. */
export function largeCorpus(): Article[] {
  return Array.from({ length: 3_000 }, (_, i): Article => {
    const url = `https://news${i % 60}.example.com/${i}`;
    return {
      id: urlUrn(url),
      file: `${i}.md`,
      title: `Article ${i} about ${i % 2 ? "chips" : "robots"}`,
      summary: `Summary of article ${i}.`,
      published: new Date(Date.UTC(2022, 0, 1) + i * 3_600_000)
        .toISOString()
        .replace(/\.\d+Z$/, "Z"),
      url,
      provider: { name: `News ${i % 60}`, domain: `news${i % 60}.example.com` },
      topics: i % 10 === 0 ? ["AI", "Rare"] : ["AI"],
      related: [],
      isPublished: true,
    };
  });
}
