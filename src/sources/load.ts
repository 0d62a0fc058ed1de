/** Folder -> index, with every problem reported: the shared start of the server and the CLIs. */
import type { Article } from "../content/article.js";
import type { ContentIssue } from "../content/report.js";
import { futureDateIssues } from "../index/dates.js";
import { buildIndex, type ContentIndex } from "../index/index.js";
import { DataDirError, readArticleDir } from "./fs-source.js";

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

/**
 * Reads, validates and indexes a data folder. Throws DataDirError when there
 * is nothing to publish (no folder, or no article files in it). The clock is
 * read here, at load time, to warn about future dates; never while rendering.
 */
export async function loadIndexFromDir(dir: string, options: { includeUnpublished: boolean; cacheDir?: string }): Promise<LoadResult> {
  const parsed = await readArticleDir(dir, { cacheDir: options.cacheDir });
  if (parsed.length === 0) {
    throw new DataDirError(`the data folder ${JSON.stringify(dir)} has no article files (*.md or *.markdown): add articles, or set DATA_DIR to the folder that holds them`);
  }
  const articles = parsed.flatMap((file): Article[] => (file.article ? [file.article] : []));
  const index = buildIndex(articles, options);
  return {
    index,
    files: parsed.length,
    skipped: parsed.length - articles.length,
    issues: [...parsed.flatMap((file) => file.issues), ...index.issues, ...futureDateIssues(articles, Date.now())],
  };
}

export function summaryLine(result: LoadResult, dir: string): string {
  const warnings = result.issues.filter((issue) => issue.severity === "warning").length;
  return `feedloom: ${dir}: loaded ${result.files - result.skipped} of ${result.files} files, skipped ${result.skipped}, ${warnings} warning${warnings === 1 ? "" : "s"}; publishing ${result.index.articles.length} articles, ${result.index.topics.size} topics, ${result.index.providers.size} providers`;
}
