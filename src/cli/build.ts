/**
 * `npm run build [-- --data DIR --out FILE]`: parses and validates the data
 * folder in Node and writes the content module the Worker imports
 * (generated/content.ts). Fails when the Worker would exceed its size limit.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import { toBundle } from "../runtime/bundle.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../runtime/load.js";

/** Gzipped size Cloudflare allows on the free plan; WORKER_SIZE_LIMIT_MB=10 for the paid plan. */
const LIMIT_MB = Number(process.env.WORKER_SIZE_LIMIT_MB ?? 3);
/** Room kept for the code itself (the app, Hono, valibot...): about 60 KB gzipped, measured; doubled. */
const CODE_ALLOWANCE_BYTES = 120 * 1024;

const { values } = parseArgs({ options: { data: { type: "string" }, out: { type: "string" } } });
const dir = values.data ?? process.env.DATA_DIR ?? "data";
const out = values.out ?? "generated/content.txt";

const config = loadConfig(process.env);
const result = await loadIndexFromDir(dir, { includeUnpublished: config.includeUnpublished, cacheDir: defaultCacheDir(process.env) });
for (const issue of result.issues) console.warn(`feedloom build: ${formatIssue(issue)}`);
console.log(summaryLine(result, dir));

const unversioned = toBundle(result.index, "");
const bundle = toBundle(result.index, createHash("sha1").update(JSON.stringify(unversioned)).digest("base64url").slice(0, 16));
const articles = bundle.articles;
// Plain JSON, imported by the Worker as a Text module: workerd hands over the string without
// compiling it as JavaScript, which for a large bundle took longer than JSON.parse itself.
const source = JSON.stringify(bundle);

const gzipped = gzipSync(source).byteLength;
const budget = LIMIT_MB * 1024 * 1024 - CODE_ALLOWANCE_BYTES;
if (gzipped > budget) {
  const fit = Math.floor((articles.length * budget) / gzipped);
  console.error(
    `feedloom build: ${articles.length} articles make ${(gzipped / 1024 / 1024).toFixed(2)} MB gzipped, over the Worker limit of ${LIMIT_MB} MB (with room for the code). ` +
      `About ${fit} articles fit. Publish fewer articles (older ones can move out of ${dir}), or on the paid plan set WORKER_SIZE_LIMIT_MB=10.`,
  );
  process.exit(1);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, source);
console.log(`feedloom build: wrote ${out}: ${articles.length} articles, ${(source.length / 1024).toFixed(0)} KB, ${(gzipped / 1024).toFixed(0)} KB gzipped, version ${bundle.version}`);
