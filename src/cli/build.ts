/**
 * `feedloom build [DIR] [--out FILE]`: parses and validates the data
 * folder in Node and writes the content module the Worker imports
 * (generated/content.txt). Fails when the Worker would exceed its size limit.
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { PREVIEW_WARNING, loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { bundleSizeProblem, toBundle } from "../sources/bundle.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { bindsD1, readWranglerConfig } from "../runtime/wrangler-config.js";
import { type Command, type Env, dataDir, text, DATA } from "./command.js";

/** Where the bundle goes: wrangler.toml's Text module rule and src/entry/worker.ts name it too. */
export const BUNDLE_FILE = "generated/content.txt";

export const build: Command = {
  name: "build",
  summary:
    "Turns DIR (default: data) into the content bundle a Worker ships with (default generated/content.txt).",
  args: "[DIR]",
  maxArgs: 1,
  options: {
    out: {
      type: "string",
      short: "o",
      value: "FILE",
      default: BUNDLE_FILE,
      description: "where to write the bundle (default generated/content.txt)",
    },
    config: {
      type: "string",
      value: "FILE",
      default: "wrangler.toml",
      description: "wrangler configuration (default ./wrangler.toml)",
    },
    ...DATA,
  },
  details:
    "With a D1 binding in wrangler.toml the bundle holds no articles: publish sends them to D1.",
  run: ({ values, args, env }) =>
    buildBundle(
      {
        dir: dataDir(args, env, values),
        out: text(values, "out"),
        config: text(values, "config"),
      },
      env,
    ),
};

async function buildBundle(
  { dir, out, config: wranglerFile }: { dir: string; out: string; config: string },
  env: Env,
): Promise<number> {
  // With a D1 binding the Worker reads D1 (npm run publish:d1 fills it): the bundle stays empty, whatever data/ holds.
  if (bindsD1(readWranglerConfig(wranglerFile))) {
    const written = writeIfChanged(
      out,
      JSON.stringify({ version: "d1", articles: [], topics: [], providers: [] }),
    );
    console.log(
      `feedloom build: ${wranglerFile} binds D1 as DB: ${written ? "wrote" : "kept"} ${out} without articles; npm run publish:d1 sends data/ to the local database npm run dev serves (npm run publish:d1 -- --remote to Cloudflare's)`,
    );
    return 0;
  }

  const config = loadConfig(env);
  const result = await loadIndexFromDir(dir, {
    includeUnpublished: config.includeUnpublished,
    now: Date.now(),
    showScheduled: config.includeUnpublished,
    cacheDir: defaultCacheDir(env),
  });
  for (const issue of result.issues) console.warn(`feedloom build: ${formatIssue(issue)}`);
  console.log(summaryLine(result, dir));
  if (config.includeUnpublished) console.warn(PREVIEW_WARNING);

  // The version is the hash of the bundle's own content, taken before the version is filled in.
  const bundle = toBundle(result.index, "", { preview: config.includeUnpublished });
  bundle.version = createHash("sha1")
    .update(JSON.stringify(bundle))
    .digest("base64url")
    .slice(0, 16);
  const articles = bundle.articles;
  // Plain JSON, imported by the Worker as a Text module: workerd hands over the string without
  // compiling it as JavaScript, which for a large bundle took longer than JSON.parse itself.
  const source = JSON.stringify(bundle);

  const gzipped = gzipSync(source).byteLength;
  const tooBig = bundleSizeProblem(
    articles.length,
    gzipped,
    Number(env.WORKER_SIZE_LIMIT_MB ?? 3),
    dir,
  );
  if (tooBig) {
    console.error(`feedloom build: ${tooBig}`);
    return 1;
  }
  const written = writeIfChanged(out, source);
  console.log(
    `feedloom build: ${written ? "wrote" : "kept"} ${out}: ${articles.length} articles, ${(source.length / 1024).toFixed(0)} KB, ${(gzipped / 1024).toFixed(0)} KB gzipped, version ${bundle.version}`,
  );
  return 0;
}

/**
 * The same content leaves the file untouched: wrangler dev does not reload
 * for nothing, and a Worker test that is reading the file never sees it half
 * written by a build of the same data.
 */
function writeIfChanged(file: string, content: string): boolean {
  if (existsSync(file) && readFileSync(file, "utf8") === content) return false;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return true;
}
