/**
 * Articles from a folder of markdown files (Node only), with an optional
 * parse cache. Parsing front matter is most of the start-up time (about
 * 0.2 ms a file), so results are kept by content hash: a restart re-parses
 * only the files that changed.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParsedFile, parseArticleBytes } from "../content/parse.js";
import pkg from "../../package.json" with { type: "json" };

type CachedParse = Omit<ParsedFile, "file">;
interface CacheFile {
  fingerprint: string;
  entries: Record<string, CachedParse>;
}

/** A folder that cannot be read as a data folder; the message says what to do. */
export class DataDirError extends Error {
  override name = "DataDirError";
}

/** Article files: Markdown by either common extension, in any case (Jekyll reads both). */
const ARTICLE_FILE = /\.(?:md|markdown)$/i;
/** Notes about a folder, not articles (the real corpus ships a CENSUS.md). */
const NOT_ARTICLES = new Set(["census.md", "readme.md"]);

/** Every article file directly in `dir`, parsed, in file-name order. */
export async function readArticleDir(dir: string, options: { cacheDir?: string } = {}): Promise<ParsedFile[]> {
  const names = (await listDir(dir))
    .filter((entry) => entry.isFile() && ARTICLE_FILE.test(entry.name) && !NOT_ARTICLES.has(entry.name.toLowerCase()))
    .map((entry) => entry.name)
    .sort();
  const cachePath = options.cacheDir ? join(options.cacheDir, "parsed-articles.json") : undefined;
  const fingerprint = parserFingerprint();
  const cached = cachePath ? readCache(cachePath, fingerprint) : {};
  const fresh: Record<string, CachedParse> = {};
  let misses = 0;
  // One file at a time: parsing, not I/O, is the cost, and 50k concurrent reads would exhaust file handles.
  const parsed = names.map((name): ParsedFile => {
    const bytes = readFileSync(join(dir, name));
    const hash = createHash("sha1").update(bytes).digest("base64url");
    let entry = cached[hash];
    if (entry === undefined) {
      misses++;
      const { file: _file, ...result } = parseArticleBytes(name, bytes);
      entry = result;
    }
    fresh[hash] = entry;
    return withFileName(entry, name);
  });
  if (cachePath && (misses > 0 || Object.keys(cached).length !== Object.keys(fresh).length)) writeCache(cachePath, { fingerprint, entries: fresh });
  return parsed;
}

async function listDir(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DataDirError(`the data folder ${JSON.stringify(dir)} does not exist: create it, or set DATA_DIR to the folder of article files`);
    if (code === "ENOTDIR") throw new DataDirError(`${JSON.stringify(dir)} is a file, not a folder: set DATA_DIR to the folder of article files`);
    throw new DataDirError(`the data folder ${JSON.stringify(dir)} cannot be read (${code ?? String(error)})`);
  }
}

/** The cache stores results without file names, so a renamed file still hits; names are put back here. */
function withFileName(entry: CachedParse, file: string): ParsedFile {
  return {
    file,
    ...(entry.article ? { article: { ...entry.article, file } } : {}),
    issues: entry.issues.map((issue) => ({ ...issue, file })),
  };
}

/**
 * Changes whenever feedloom or its parsing code changes, so a stale cache is
 * never used: the content/ sources when they are on disk (tsx), else the
 * compiled file this code runs from (dist/server.mjs holds the parser).
 */
let fingerprintMemo: string | undefined;
function parserFingerprint(): string {
  if (fingerprintMemo) return fingerprintMemo;
  const hash = createHash("sha1").update(pkg.version);
  const contentDir = fileURLToPath(new URL("../content/", import.meta.url));
  try {
    for (const name of readdirSync(contentDir).sort()) hash.update(name).update(readFileSync(join(contentDir, name)));
  } catch {
    try {
      hash.update(readFileSync(fileURLToPath(import.meta.url)));
    } catch {
      hash.update(String(Date.now())); // neither on disk: never trust an old cache
    }
  }
  return (fingerprintMemo = hash.digest("base64url"));
}

function readCache(path: string, fingerprint: string): Record<string, CachedParse> {
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as CacheFile;
    return file.fingerprint === fingerprint ? file.entries : {};
  } catch {
    return {};
  }
}

/** Written to a temporary name and renamed, so a crash never leaves half a cache. */
function writeCache(path: string, file: CacheFile): void {
  try {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(`${path}.${process.pid}.tmp`, JSON.stringify(file));
    renameSync(`${path}.${process.pid}.tmp`, path);
  } catch (error) {
    console.warn(`feedloom: parse cache not written (${error instanceof Error ? error.message : String(error)}); the next start parses every file again`);
  }
}
