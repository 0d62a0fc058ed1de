/**
 * The compact content bundle the Worker imports. The build step (Node)
 * parses, validates, filters, deduplicates, sorts and groups; the bundle
 * carries the finished index, groups as positions in the sorted list, so
 * that Worker start-up only JSON.parses and wires arrays together (no
 * sorting, keying or grouping in the global scope, which must stay fast).
 */
import type { Article } from "../content/article.js";
import type { ContentIndex, Group } from "../index/index.js";

/** [key, name, positions of its articles in `articles`, newest first] */
type BundledGroup = [string, string, number[]];

export interface ContentBundle {
  /** Hash of the content: part of every edge-cache key, so new data never meets old cached responses. */
  version: string;
  /** Newest first; file names are left out (the Worker never reports on files). */
  articles: Article[];
  topics: BundledGroup[];
  providers: BundledGroup[];
  /** Built with the preview switch (INCLUDE_UNPUBLISHED): scheduled articles show at once too. */
  preview?: true;
}

export function toBundle(
  index: ContentIndex,
  version: string,
  options: { preview?: boolean } = {},
): ContentBundle {
  const position = new Map(index.articles.map((article, i) => [article, i]));
  const groups = (map: Map<string, Group>): BundledGroup[] =>
    [...map.values()].map((group) => [
      group.key,
      group.name,
      group.articles.map((article) => position.get(article)!),
    ]);
  return {
    version,
    articles: index.articles.map((article) => ({ ...article, file: "" })),
    topics: groups(index.topics),
    providers: groups(index.providers),
    ...(options.preview ? { preview: true as const } : {}),
  };
}

export function indexFromBundle(bundle: ContentBundle): ContentIndex {
  const groups = (list: BundledGroup[]) =>
    new Map(
      list.map(([key, name, positions]): [string, Group] => [
        key,
        { key, name, articles: positions.map((i) => bundle.articles[i]) },
      ]),
    );
  return {
    articles: bundle.articles,
    topics: groups(bundle.topics),
    providers: groups(bundle.providers),
    issues: [],
  };
}

/** Room kept for the Worker's code (the app, Hono, valibot...): about 37 KB gzipped, measured; tripled. */
const CODE_ALLOWANCE_BYTES = 120 * 1024;

/**
 * Why a content bundle of this gzipped size cannot ship in a Worker of `limitMb`
 * (3 on the free plan, 10 on the paid one), or undefined when it fits.
 */
export function bundleSizeProblem(
  articles: number,
  gzippedBytes: number,
  limitMb: number,
  dir: string,
): string | undefined {
  const budget = limitMb * 1024 * 1024 - CODE_ALLOWANCE_BYTES;
  if (gzippedBytes <= budget) return undefined;
  const fit = Math.max(0, Math.floor((articles * budget) / gzippedBytes));
  return (
    `${articles} articles make ${(gzippedBytes / 1024 / 1024).toFixed(2)} MB gzipped, over the Worker limit of ${limitMb} MB ` +
    `(with room for the code). About ${fit} articles fit. Publish fewer articles (older ones can move out of ${dir}), ` +
    "or on the paid plan set WORKER_SIZE_LIMIT_MB=10."
  );
}
