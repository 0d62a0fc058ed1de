/** Folder -> index, with every problem reported: the shared start of the server and the CLIs. */
import type { Article } from "../content/article.js";
import type { ContentIssue } from "../content/report.js";
import { buildIndex, type ContentIndex } from "../index/index.js";
import { readArticleDir } from "./fs-source.js";

export interface LoadResult {
  index: ContentIndex;
  files: number;
  /** Files skipped for errors. */
  skipped: number;
  issues: ContentIssue[];
}

/** Where the Node server and the CLIs keep parsed articles between runs (FEEDLOOM_CACHE_DIR, or "off"). */
export function defaultCacheDir(env: Record<string, string | undefined>): string | undefined {
  const dir = env.FEEDLOOM_CACHE_DIR ?? "node_modules/.cache/feedloom";
  return dir === "off" ? undefined : dir;
}

export async function loadIndexFromDir(dir: string, options: { includeUnpublished: boolean; cacheDir?: string }): Promise<LoadResult> {
  const parsed = await readArticleDir(dir, { cacheDir: options.cacheDir });
  const articles = parsed.flatMap((file): Article[] => (file.article ? [file.article] : []));
  const index = buildIndex(articles, options);
  return {
    index,
    files: parsed.length,
    skipped: parsed.length - articles.length,
    issues: [...parsed.flatMap((file) => file.issues), ...index.issues],
  };
}

export function summaryLine(result: LoadResult, dir: string): string {
  const warnings = result.issues.filter((issue) => issue.severity === "warning").length;
  return `feedloom: ${dir}: loaded ${result.files - result.skipped} of ${result.files} files, skipped ${result.skipped}, ${warnings} warning${warnings === 1 ? "" : "s"}; publishing ${result.index.articles.length} articles, ${result.index.topics.size} topics, ${result.index.providers.size} providers`;
}
