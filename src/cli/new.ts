/**
 * `feedloom new "Title" [--data DIR]`: starts an article, as `hugo new`
 * does: DIR/YYYY-MM-DD-slug.md dated now, with every field to fill in, and
 * `published: false`, so that it stays a draft until it is ready.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { slugOf } from "../content/keys.js";
import { type Command, UsageError, dataDir } from "./command.js";

export const newArticle: Command = {
  name: "new",
  summary:
    'Starts an article in DIR (default: data): new "Title" writes YYYY-MM-DD-slug.md, a draft.',
  args: '"TITLE"',
  maxArgs: 1,
  options: {
    data: { type: "string", value: "DIR", description: "where to write it (default data)" },
  },
  details:
    "The file is dated now and is a draft (published: false): fill in its fields, run feedloom validate, then set published: true.",
  async run({ args, env, values }) {
    const title = args[0]?.trim();
    if (!title) throw new UsageError('give the article\'s title: feedloom new "A new model"');
    const dir = dataDir([], env, values);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const slug = slugOf(title, "article");
    const file = join(dir, `${now.slice(0, 10)}-${slug}.md`);
    if (existsSync(file)) {
      console.error(`feedloom new: ${file} already exists: give another title, or edit that file`);
      return 1;
    }
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, skeleton(title, now, slug), { flag: "wx" });
    console.log(
      `feedloom new: wrote ${file}, a draft: fill in its fields, then set published: true`,
    );
    return 0;
  },
};

function skeleton(title: string, now: string, slug: string): string {
  return [
    "---",
    `title: ${JSON.stringify(title)}`,
    "# A sentence or two: what readers see in the feed.",
    'excerpt: ""',
    `publishedDateTime: ${now}`,
    "# The article's own address: readers open it from the feed, and its item id comes from it.",
    `webUrl: "https://example.com/${slug}"`,
    "provider:",
    '  name: "Example"',
    "  domain: example.com",
    "topics: []",
    "# A draft until this says true (docs/articles.md lists every field).",
    "published: false",
    "---",
    "",
  ].join("\n");
}
