/** Publication dates against an instant. Pure: the caller passes the time, which rendering never reads. */
import type { Article } from "../content/article.js";
import { countPublishedAfter, publishedCutoff } from "./store.js";

/** The articles of a newest-first list dated after `now`: scheduled, oldest (next due) first. */
export function scheduledArticles(articles: readonly Article[], now: number): Article[] {
  return articles.slice(0, countPublishedAfter(articles, publishedCutoff(now))).reverse();
}

/** A scheduled article as validate and the logs list it. */
export function scheduledLine(article: Pick<Article, "file" | "published" | "title">): string {
  return `${article.file}: scheduled for ${article.published}: ${JSON.stringify(article.title.length > 80 ? `${article.title.slice(0, 79)}…` : article.title)}`;
}
