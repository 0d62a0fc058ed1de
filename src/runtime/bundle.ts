/**
 * The compact content bundle the Worker imports: the build step (Node) parses
 * and validates data/, and the Worker only reads this. Articles are stored
 * without their file names and already filtered, deduplicated and sorted.
 */
import type { Article } from "../content/article.js";
import { type ContentIndex, buildIndex } from "../index/index.js";

export type BundledArticle = Omit<Article, "file" | "isPublished">;

export interface ContentBundle {
  /** Hash of the articles: part of every edge-cache key, so new data never meets old cached responses. */
  version: string;
  articles: BundledArticle[];
}

export function toBundledArticle({ file: _file, isPublished: _isPublished, ...article }: Article): BundledArticle {
  return article;
}

export function indexFromBundle(bundle: ContentBundle): ContentIndex {
  // The build already left out drafts (unless previewing) and duplicates: publish everything here.
  return buildIndex(
    bundle.articles.map((article) => ({ ...article, file: "", isPublished: true })),
    { includeUnpublished: true },
  );
}
