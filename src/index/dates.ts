/** Load-time checks of publication dates. Pure: the caller passes the time, which rendering never reads. */
import type { Article } from "../content/article.js";
import type { ContentIssue } from "../content/report.js";

/** A day of slack, for sources that write a local date as if it were UTC. */
const SLACK_MS = 24 * 60 * 60 * 1000;

/** A warning for each article dated after `now`: it would top every feed, and be their Last-Modified, until then. */
export function futureDateIssues(articles: readonly Article[], now: number): ContentIssue[] {
  return articles
    .filter((article) => Date.parse(article.published) > now + SLACK_MS)
    .map((article) => ({
      file: article.file,
      field: "publishedDateTime",
      reason: `${article.published} is in the future: the article tops every feed and sets its Last-Modified until then; check the date`,
      severity: "warning" as const,
    }));
}
