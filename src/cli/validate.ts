/**
 * `npm run validate [dir]`: every problem in every article file, as
 * `file: field: reason`, then a summary. Exits 1 when any file is invalid
 * (would be skipped); warnings alone exit 0.
 */
import { formatIssue } from "../content/report.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../runtime/load.js";

const dir = process.argv[2] ?? process.env.DATA_DIR ?? "data";
try {
  const result = await loadIndexFromDir(dir, { includeUnpublished: true, cacheDir: defaultCacheDir(process.env) });
  for (const issue of result.issues) console.log(formatIssue(issue));
  console.log(summaryLine(result, dir).replace(/; publishing .*/, ""));
  process.exitCode = result.skipped > 0 ? 1 : 0;
} catch (error) {
  console.error(`feedloom validate: cannot read ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
