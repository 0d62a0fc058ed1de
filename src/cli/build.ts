/**
 * `npm run build [-- --data DIR --out FILE]`: parses and validates the data
 * folder in Node and writes the content module the Worker imports
 * (generated/content.txt). Fails when the Worker would exceed its size limit.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { bundleSizeProblem, toBundle } from "../runtime/bundle.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../runtime/load.js";
import { runMain } from "../runtime/main.js";

runMain("feedloom build", async () => {
  const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" } } });
  const dir = values.data ?? process.env.DATA_DIR ?? "data";
  const out = values.out ?? "generated/content.txt";

  const config = loadConfig(process.env);
  const result = await loadIndexFromDir(dir, { includeUnpublished: config.includeUnpublished, cacheDir: defaultCacheDir(process.env) });
  for (const issue of result.issues) console.warn(`feedloom build: ${formatIssue(issue)}`);
  console.log(summaryLine(result, dir));

  // The version is the hash of the bundle's own content, taken before the version is filled in.
  const bundle = toBundle(result.index, "");
  bundle.version = createHash("sha1").update(JSON.stringify(bundle)).digest("base64url").slice(0, 16);
  const articles = bundle.articles;
  // Plain JSON, imported by the Worker as a Text module: workerd hands over the string without
  // compiling it as JavaScript, which for a large bundle took longer than JSON.parse itself.
  const source = JSON.stringify(bundle);

  const gzipped = gzipSync(source).byteLength;
  const tooBig = bundleSizeProblem(articles.length, gzipped, Number(process.env.WORKER_SIZE_LIMIT_MB ?? 3), dir);
  if (tooBig) {
    console.error(`feedloom build: ${tooBig}`);
    return 1;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, source);
  console.log(`feedloom build: wrote ${out}: ${articles.length} articles, ${(source.length / 1024).toFixed(0)} KB, ${(gzipped / 1024).toFixed(0)} KB gzipped, version ${bundle.version}`);
});
