/**
 * `npm run validate [dir]`: every problem in every article file, as
 * `file: field: reason`, and every scheduled article with its time, then a summary. Exits 1 when any file is invalid
 * (would be skipped), 2 when the folder cannot be checked at all; warnings alone exit 0.
 */
import { formatIssue } from "../content/report.js";
import { scheduledLine } from "../index/dates.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { runMain } from "../runtime/main.js";

runMain(
  "feedloom validate",
  async () => {
    const dir = process.argv[2] ?? process.env.DATA_DIR ?? "data";
    const result = await loadIndexFromDir(dir, {
      includeUnpublished: true,
      now: Date.now(),
      cacheDir: defaultCacheDir(process.env),
    });
    for (const issue of result.issues) console.log(formatIssue(issue));
    // Dated after now: not a problem, they go out at their time (INCLUDE_UNPUBLISHED previews them).
    for (const article of result.scheduled) console.log(scheduledLine(article));
    console.log(
      summaryLine(result, dir).replace(
        /; publishing .*/,
        result.scheduled.length > 0 ? `; ${result.scheduled.length} scheduled` : "",
      ),
    );
    return result.skipped > 0 ? 1 : 0;
  },
  { userErrorExit: 2 },
);
