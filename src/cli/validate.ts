/**
 * `feedloom validate [DIR]`: every problem in every article file, as
 * `file: field: reason`, and every scheduled article with its time, then a summary. Exits 1 when any file is invalid
 * (would be skipped), 2 when the folder cannot be checked at all; warnings alone exit 0.
 */
import { formatIssue } from "../content/report.js";
import { scheduledLine } from "../index/dates.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { type Command, dataDir } from "./command.js";

export const validate: Command = {
  name: "validate",
  summary:
    "Checks every article file of DIR (default: data) and lists each problem as file: field: reason.",
  args: "[DIR]",
  maxArgs: 1,
  options: {},
  details:
    "Exits 1 when a file is invalid (it would be left out of the feeds); warnings alone exit 0.",
  async run({ args, env }) {
    const dir = dataDir(args, env);
    const result = await loadIndexFromDir(dir, {
      includeUnpublished: true,
      now: Date.now(),
      cacheDir: defaultCacheDir(env),
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
};
