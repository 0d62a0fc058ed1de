/**
 * `feedloom demo [DIR] [--count N]`: a synthetic corpus dated up to now,
 * written beside the articles already in DIR, so that a first run shows what
 * the 2022 sample data cannot: digests with recent days and weeks, archives
 * to follow, drafts left out, topics and providers with many articles. Its
 * providers are on example.com subdomains and its articles have no images,
 * so nothing points at a real site. Running it again replaces its files
 * (`*-demo-N.md`) and touches no other.
 */
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { syntheticArticles } from "../content/synthetic.js";
import { type Command, UsageError, dataDir, text } from "./command.js";

/** Days the demo's articles spread over: two months of daily and eight of weekly digests. */
const DAYS = 60;
const DEMO_FILE = /^\d{4}-\d\d-\d\d-demo-\d+\.md$/;

export const demo: Command = {
  name: "demo",
  summary:
    "Adds a synthetic corpus dated up to now to DIR (default: data): digests, archives and drafts to try at once.",
  args: "[DIR]",
  maxArgs: 1,
  options: {
    count: {
      type: "string",
      value: "N",
      default: "300",
      description: "how many articles (default 300, at most 20000)",
    },
  },
  details: `Its files are named YYYY-MM-DD-demo-N.md; running it again replaces them, and removing them removes the demo.`,
  async run({ args, env, values }) {
    const count = Number(text(values, "count"));
    if (!Number.isInteger(count) || count < 1 || count > 20_000)
      throw new UsageError(`--count: a whole number from 1 to 20000, got ${text(values, "count")}`);
    const dir = dataDir(args, env);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(`${dir} is not a folder: give the folder of articles, or create it`);
    const replaced = readdirSync(dir).filter((name) => DEMO_FILE.test(name));
    for (const name of replaced) rmSync(join(dir, name));
    const now = Date.now();
    const files = syntheticArticles(count, {
      seed: 7,
      start: now - DAYS * 86_400_000,
      days: DAYS,
      domainOf: (provider) => `provider${provider}.example.com`,
      images: false,
      tag: "demo",
    });
    // Dates are spread up to now, never past it: none is scheduled.
    for (const { name, text: body } of files) writeFileSync(join(dir, name), body);
    console.log(
      `feedloom demo: wrote ${files.length} articles of the last ${DAYS} days to ${dir}${replaced.length > 0 ? ` (replacing the ${replaced.length} of an earlier demo)` : ""}. Serve them: feedloom serve ${dir}`,
    );
    return 0;
  },
};
