/**
 * A problem found in one article file. `error` means the file is skipped;
 * `warning` means only the named field was dropped (or, for duplicates, the
 * whole copy) and the article still publishes.
 */
export interface ContentIssue {
  file: string;
  field: string;
  reason: string;
  severity: "error" | "warning";
}

export function formatIssue(issue: ContentIssue): string {
  return `${issue.file}: ${issue.field}: ${issue.reason}${issue.severity === "warning" ? " (warning)" : ""}`;
}
