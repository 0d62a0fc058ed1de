/**
 * An article as the API takes it: its key (the file name without `.md`),
 * and its file's text, written from JSON fields or sent as markdown. It is
 * validated by the same parser as every file, so that an article accepted
 * here is one `feedloom validate` accepts, and a rejected one gets the
 * same `field: reason` problems.
 */
import type { Context } from "hono";
import type * as Yaml from "js-yaml";
import type { Article } from "../content/article.js";
import type * as Parse from "../content/parse.js";
import { HttpError, clip } from "../http/errors.js";
import { ApiError, type Problem } from "./auth.js";

/**
 * The article parser (gray-matter, valibot) and js-yaml, loaded at the API's first call rather than
 * at start: a Worker that is never written to never loads them, and its start-up stays as small as
 * test/worker-graph.test.ts keeps it. Every API handler awaits this before it reads an article.
 */
let loaded: { parse: typeof Parse; yaml: typeof Yaml } | undefined;
export async function parserLoaded(): Promise<void> {
  if (loaded) return;
  const [parse, yaml] = await Promise.all([import("../content/parse.js"), import("js-yaml")]);
  loaded = { parse, yaml };
}
function parser(): NonNullable<typeof loaded> {
  if (!loaded) throw new Error("the article parser is not loaded yet: await parserLoaded() first");
  return loaded;
}

/** Letters, digits, `.`, `_` and `-`, from a letter or digit: no separator, no dot-file, no `..`. */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** An invalid article: 422, with every problem, as validate lists them. */
export class InvalidArticle extends ApiError {
  constructor(
    readonly key: string,
    readonly problems: Problem[],
  ) {
    super(
      422,
      `${key}: ${problems.map((problem) => `${problem.field}: ${problem.reason}`).join("; ")}`,
    );
  }
}

export function checkedKey(key: string): string {
  if (!KEY.test(key) || key.includes(".."))
    throw new HttpError(
      400,
      `key ${JSON.stringify(key.slice(0, 60))}: a key is the file name without .md: 1 to 200 letters, digits, ".", "_" or "-", starting with a letter or digit, without ".."`,
    );
  return key;
}

/** The file text of JSON front-matter fields, as YAML with the schema the parser reads (so strings stay strings). */
export function fileTextOf(fields: unknown): string {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields))
    throw new HttpError(
      400,
      "an article in JSON is an object of front-matter fields (docs/articles.md)",
    );
  const { dump, CORE_SCHEMA } = parser().yaml;
  return `---\n${dump(fields, { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true })}---\n`;
}

/** The article a file text gives, or InvalidArticle with every error (warnings are returned with it). */
export function validArticle(key: string, text: string): { article: Article; warnings: Problem[] } {
  const parsed = parser().parse.parseArticleFile(`${key}.md`, text);
  const problems = (severity: string) =>
    parsed.issues
      .filter((issue) => issue.severity === severity)
      .map(({ field, reason }) => ({ field, reason }));
  if (!parsed.article || problems("error").length > 0)
    throw new InvalidArticle(key, problems("error"));
  return { article: parsed.article, warnings: problems("warning") };
}

/** A stored file's front matter, as GET returns it in JSON: read as the parser reads it. */
export const fieldsOf = (text: string): Record<string, unknown> =>
  parser().parse.frontMatterOf(text);

/** The body's media type, without parameters: `application/json`. */
export const mediaTypeOf = (c: Context): string =>
  (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();

export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `the body is not JSON: ${clip(String((error as Error).message))}`);
  }
}
