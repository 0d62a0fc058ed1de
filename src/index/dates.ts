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

/** The articles of a newest-first list that go out after `from` and by `to` (instants), and the next due after `to`. */
export function releasesBetween(articles: readonly Article[], from: number, to: number): { released: Article[]; nextDue?: string } {
  const stillScheduled = countPublishedAfter(articles, publishedCutoff(to));
  const released = articles.slice(stillScheduled, countPublishedAfter(articles, publishedCutoff(from)));
  return { released, ...(stillScheduled > 0 ? { nextDue: articles[stillScheduled - 1].published } : {}) };
}
