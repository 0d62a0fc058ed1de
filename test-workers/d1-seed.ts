/**
 * Global setup of the D1 project, run in Node: the SQL `npm run publish`
 * would write for data/ into an empty D1, and for a synthetic corpus of
 * 3,000 articles (for the rows-read test). The tests in workerd apply them.
 */
import type { TestProject } from "vitest/node";
import type { Article } from "../src/content/article.js";
import { urlUrn } from "../src/content/keys.js";
import { buildIndex } from "../src/index/index.js";
import { planSync } from "../src/publish/d1-sync.js";
import { loadIndexFromDir } from "../src/sources/load.js";

declare module "vitest" {
  export interface ProvidedContext {
    d1Sample: string[];
    d1Large: string[];
  }
}

const EMPTY = { articles: [], groups: [], meta: {} };

/** 3,000 articles: every one in "ai", a tenth in "rare", 60 providers; dates one hour apart. */
export function largeCorpus(): Article[] {
  return Array.from({ length: 3_000 }, (_, i): Article => {
    const url = `https://news${i % 60}.example.com/${i}`;
    return {
      id: urlUrn(url),
      file: `${i}.md`,
      title: `Article ${i} about ${i % 2 ? "chips" : "robots"}`,
      summary: `Summary of article ${i}.`,
      published: new Date(Date.UTC(2022, 0, 1) + i * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
      url,
      provider: { name: `News ${i % 60}`, domain: `news${i % 60}.example.com` },
      topics: i % 10 === 0 ? ["AI", "Rare"] : ["AI"],
      related: [],
      isPublished: true,
    };
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const { index } = await loadIndexFromDir("data", { includeUnpublished: false, now: Date.now() });
  project.provide("d1Sample", planSync(index, EMPTY).statements);
  project.provide("d1Large", planSync(buildIndex(largeCorpus()), EMPTY).statements);
}
