/** Folder -> index, with every problem reported: the shared start of the server and the CLIs. */
import { createHash } from "node:crypto";
import type { Article } from "../content/article.js";
import type { ContentIssue } from "../content/report.js";
import { scheduledArticles } from "../index/dates.js";
import { buildIndex, type ContentIndex } from "../index/index.js";
import { ArticleFolder, DataDirError, type FolderScan, type ParseElsewhere } from "./fs-source.js";

export interface LoadResult {
  index: ContentIndex;
  files: number;
  /** Files skipped for errors. */
  skipped: number;
  issues: ContentIssue[];
  /** Articles dated after the load's instant, next due first: they go out at their time. */
  scheduled: Article[];
  /** Names the content (a hash of every live file's bytes and the preview switch): changes whenever it does. */
  version: string;
  /** Each published article's file's content hash: what it was parsed from (the export's fingerprint of it). */
  articleHashes: WeakMap<Article, string>;
}

export interface LoadOptions {
  includeUnpublished: boolean;
  /** The instant scheduled articles are told apart at, for the listing; the store decides what is out. */
  now: number;
  /** The preview: scheduled articles show at once, so none is listed as scheduled. */
  showScheduled?: boolean;
}

/** Where the Node server and the CLIs keep parsed articles between runs (FEEDLOOM_CACHE_DIR, or "off"). */
export function defaultCacheDir(env: Record<string, string | undefined>): string | undefined {
  const dir = env.FEEDLOOM_CACHE_DIR ?? "node_modules/.cache/feedloom";
  return dir === "off" ? undefined : dir;
}

/**
 * Reads, validates and indexes a data folder. Throws DataDirError when there
 * is nothing to publish (no folder, or no article files in it).
 */
export async function loadIndexFromDir(
  dir: string,
  options: LoadOptions & { cacheDir?: string; parseElsewhere?: ParseElsewhere },
): Promise<LoadResult> {
  const folder = new ArticleFolder(dir, options);
  const result = indexScan(await folder.scan(), dir, options);
  folder.saveCache();
  return result;
}

/** One scan of a folder, indexed: what a start and every live reload publish. */
export function indexScan(scan: FolderScan, dir: string, options: LoadOptions): LoadResult {
  if (scan.files.length === 0) {
    throw new DataDirError(
      `the data folder ${JSON.stringify(dir)} has no article files (*.md or *.markdown): add articles, or set DATA_DIR to the folder that holds them`,
    );
  }
  const articles = scan.files.flatMap((file): Article[] => (file.article ? [file.article] : []));
  const index = buildIndex(articles, options);
  const version = createHash("sha1").update(options.includeUnpublished ? "preview\n" : "\n");
  for (const [name, hash] of scan.hashes) version.update(`${name}\0${hash}\n`);
  return {
    index,
    files: scan.files.length,
    skipped: scan.files.length - articles.length,
    issues: [...scan.files.flatMap((file) => file.issues), ...index.issues],
    scheduled: options.showScheduled ? [] : scheduledArticles(index.articles, options.now),
    version: version.digest("base64url").slice(0, 16),
    articleHashes: new WeakMap(
      articles.flatMap((article) =>
        scan.hashes.has(article.file)
          ? [[article, `${article.file}\0${scan.hashes.get(article.file)}`] as const]
          : [],
      ),
    ),
  };
}

export function summaryLine(result: LoadResult, dir: string): string {
  const warnings = result.issues.filter((issue) => issue.severity === "warning").length;
  const scheduled =
    result.scheduled.length > 0
      ? `, ${result.scheduled.length} scheduled (next ${result.scheduled[0].published})`
      : "";
  return `feedloom: ${dir}: loaded ${result.files - result.skipped} of ${result.files} files, skipped ${result.skipped}, ${warnings} warning${warnings === 1 ? "" : "s"}; publishing ${result.index.articles.length - result.scheduled.length} articles${scheduled}, ${result.index.topics.size} topics, ${result.index.providers.size} providers`;
}
