/**
 * Articles from a folder of markdown files (Node only), with an optional
 * parse cache. Parsing front matter is most of the start-up time (about
 * 0.2 ms a file), so results are kept by content hash, with each file's size
 * and modification time: a restart reads and parses only the files that changed.
 */
import { createHash } from "node:crypto";
import {
  type Stats,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type * as Parse from "../content/parse.js";
import type { ParsedFile } from "../content/parse.js";
import pkg from "../../package.json" with { type: "json" };

type CachedParse = Omit<ParsedFile, "file">;
interface CacheFile {
  fingerprint: string;
  entries: Record<string, CachedParse>;
  /** The folder's files as last read: [modification time, size, read at, content hash] by name, so that a start reads only what moved. */
  folder?: {
    dir: string;
    files: Record<string, [mtimeMs: number, size: number, readAtMs: number, hash: string]>;
  };
}

/** A folder that cannot be read as a data folder; the message says what to do. */
export class DataDirError extends Error {
  override name = "DataDirError";
}

/** Below these, writing the parse cache costs more than the next start redoing the work (measured at 10k: a write takes 75 ms). */
const SAVE_WORTH = { reads: 1_500, parses: 300 };

/** Coarser than any file system's modification-time tick here (ext4 and tmpfs keep the kernel's coarse clock, a few ms). */
const MTIME_TICK_MS = 50;

/** Ends the report of a broken edit whose last valid version is kept live. */
export const KEPT_LIVE = "(the last valid version stays live until the file is fixed or deleted)";

/** Article files: Markdown by either common extension, in any case (Jekyll reads both). */
const ARTICLE_FILE = /\.(?:md|markdown)$/i;
/** Notes about a folder, not articles (the real corpus ships a CENSUS.md). */
const NOT_ARTICLES = new Set(["census.md", "readme.md"]);

/** Every article file directly in `dir`, parsed, in file-name order. */
export async function readArticleDir(
  dir: string,
  options: { cacheDir?: string } = {},
): Promise<ParsedFile[]> {
  const folder = new ArticleFolder(dir, options);
  const { files } = await folder.scan();
  folder.saveCache();
  return files;
}

/** What one scan found: every file as it now publishes, and what changed since the scan before. */
export interface FolderScan {
  /** In file-name order; a file whose edit broke it holds its last valid article (see ArticleFolder). */
  files: ParsedFile[];
  /** Content hash of each file in `files` whose article is live, by file name. */
  hashes: Map<string, string>;
  /** Whether anything differs from the previous scan (always true for the first). */
  changed: boolean;
  /** Files read half-written (their size moved while they were read): scan again shortly. */
  unsettled: number;
}

interface KnownFile {
  mtimeMs: number;
  size: number;
  /** When the file was read: a modification time not clearly before it cannot vouch for the bytes (see scan). */
  readAtMs: number;
  hash: string;
  parsed: ParsedFile;
  /** The article this file last published validly, kept live while an edit leaves the file broken. */
  lastValid?: { article: ParsedFile["article"]; hash: string };
}

/** A file's bytes as read: when, how many, their hash, and their parse (asked only for bytes not parsed before). */
interface FileRead {
  readAtMs: number;
  size: number;
  hash: string;
  parse(): CachedParse;
}

/** A file read and parsed by another thread (an export's helper), as it sends it back. */
export interface ParsedRead extends Omit<FileRead, "parse"> {
  parsed: CachedParse;
}

/**
 * Reads and parses files of `dir` elsewhere, taking positions in `names` from the shared `counter`
 * (as the scan does), until none is left; a file gone by then is left out of the answer.
 */
export type ParseElsewhere = (
  dir: string,
  names: readonly string[],
  counter: Int32Array,
) => Promise<Map<string, ParsedRead>>;

/** Files to parse at least this many before half go elsewhere: a thread's start costs about as much as parsing a thousand. */
const PARSE_ELSEWHERE_MIN = 1_000;

/**
 * The article parser (gray-matter, js-yaml, valibot), imported once a scan meets bytes it has not
 * parsed: a start whose files are all in the parse cache never loads it (about 0.1 s of a warm
 * export's 2 at 10k articles).
 */
let parser: typeof Parse | undefined;
const loadParser = async () => (parser ??= await import("../content/parse.js"));

/** One file of `dir` read now, or undefined when it is gone; `parse` needs the parser loaded. */
function readFile(dir: string, name: string): FileRead | undefined {
  const readAtMs = Date.now();
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, name));
  } catch {
    return undefined;
  }
  const hash = createHash("sha1").update(bytes).digest("base64url");
  return {
    readAtMs,
    size: bytes.byteLength,
    hash,
    parse: () => {
      if (!parser) throw new Error("the article parser is not loaded yet");
      const { file: _file, ...result } = parser.parseArticleBytes(name, bytes);
      return result;
    },
  };
}

/** What another thread does for ParseElsewhere: each file read, hashed and parsed. */
export async function readAndParse(
  dir: string,
  names: readonly string[],
  counter: Int32Array,
): Promise<Map<string, ParsedRead>> {
  await loadParser();
  const reads = new Map<string, ParsedRead>();
  for (let position; (position = Atomics.add(counter, 0, 1)) < names.length;) {
    const name = names[position];
    const read = readFile(dir, name);
    if (read)
      reads.set(name, {
        readAtMs: read.readAtMs,
        size: read.size,
        hash: read.hash,
        parsed: read.parse(),
      });
  }
  return reads;
}

/**
 * A data folder read again and again (the Node server watches it): a file is
 * read only when its size or modification time moved, and parsed only when
 * its bytes are new (by hash, so a renamed file is not parsed again). An edit
 * that breaks a file that published before keeps the last valid article live,
 * with the problems reported as warnings, until the file is fixed or deleted.
 */
export class ArticleFolder {
  private known = new Map<string, KnownFile>();
  private parses = new Map<string, CachedParse>();
  private readonly cachePath?: string;
  private cacheLoaded = false;
  private cacheDirty = false;
  private scanned = false;
  /** Files read and parsed since the cache was last written: what a start without a new write would redo. */
  private unsaved = { reads: 0, parses: 0 };

  private readonly parseElsewhere?: ParseElsewhere;

  constructor(
    readonly dir: string,
    options: { cacheDir?: string; parseElsewhere?: ParseElsewhere } = {},
  ) {
    this.cachePath = options.cacheDir ? join(options.cacheDir, "parsed-articles.json") : undefined;
    this.parseElsewhere = options.parseElsewhere;
  }

  async scan(): Promise<FolderScan> {
    const names = (await listDir(this.dir))
      .filter(
        (entry) =>
          entry.isFile() &&
          ARTICLE_FILE.test(entry.name) &&
          !entry.name.startsWith(".") &&
          !NOT_ARTICLES.has(entry.name.toLowerCase()),
      )
      .map((entry) => entry.name)
      .sort();
    if (!this.cacheLoaded && this.cachePath) this.loadCache(this.cachePath);
    this.cacheLoaded = true;
    let changed = !this.scanned || this.known.size !== names.length;
    this.scanned = true;
    let unsettled = 0;
    const found = new Map<string, KnownFile>();
    const toRead: { name: string; stat: Stats; before?: KnownFile }[] = [];
    for (const name of names) {
      const before = this.known.get(name);
      const stat = statSync(join(this.dir, name), { throwIfNoEntry: false });
      if (!stat) continue; // removed between the listing and now
      // Git's "racily clean" rule: file systems keep modification times in coarse ticks, so a rewrite of the
      // same size right after a read can keep the same time; only a time clearly before the read vouches.
      if (
        before &&
        before.mtimeMs === stat.mtimeMs &&
        before.size === stat.size &&
        before.mtimeMs < before.readAtMs - MTIME_TICK_MS
      )
        found.set(name, before);
      else toRead.push({ name, stat, before });
    }
    const settle = ({ name, stat, before }: (typeof toRead)[number], read?: FileRead) => {
      if (!read) return; // removed since the listing
      this.cacheDirty = true; // the read time is new
      this.unsaved.reads++;
      if (read.size !== stat.size) unsettled++; // still being written: what was read is parsed, and read again next scan
      if (before && before.hash === read.hash && before.size === read.size) {
        found.set(name, { ...before, mtimeMs: stat.mtimeMs, readAtMs: read.readAtMs });
        return;
      }
      changed = true;
      let entry = this.parses.get(read.hash);
      if (entry === undefined) {
        this.parses.set(read.hash, (entry = read.parse()));
        this.cacheDirty = true;
        this.unsaved.parses++;
      }
      const parsed = withFileName(entry, name);
      const lastValid = parsed.article
        ? { article: parsed.article, hash: read.hash }
        : before?.lastValid;
      found.set(name, {
        mtimeMs: stat.mtimeMs,
        size: read.size === stat.size ? stat.size : -1,
        readAtMs: read.readAtMs,
        hash: read.hash,
        parsed,
        ...(lastValid ? { lastValid } : {}),
      });
    };
    // Many files to parse and another thread to share them with: both take the next file from one
    // counter, so that neither waits while the other has work (the other starts later).
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const away =
      this.parseElsewhere && toRead.length >= PARSE_ELSEWHERE_MIN
        ? this.parseElsewhere(
            this.dir,
            toRead.map((file) => file.name),
            counter,
          )
        : undefined;
    const here = new Set<number>();
    // One file at a time: parsing, not I/O, is the cost, and 50k concurrent reads would exhaust file handles.
    for (let position; (position = Atomics.add(counter, 0, 1)) < toRead.length;) {
      here.add(position);
      const read = readFile(this.dir, toRead[position].name);
      if (read && !this.parses.has(read.hash)) await loadParser();
      settle(toRead[position], read);
    }
    if (away) {
      const reads = await away;
      toRead.forEach((file, position) => {
        if (here.has(position)) return;
        const read = reads.get(file.name);
        settle(file, read && { ...read, parse: () => read.parsed });
      });
    }
    // In file-name order, as the listing.
    const next = new Map(
      names.flatMap((name): [string, KnownFile][] =>
        found.has(name) ? [[name, found.get(name)!]] : [],
      ),
    );
    for (const name of this.known.keys()) if (!next.has(name)) changed = true;
    this.known = next;
    // Parses of bytes no file holds any more are dropped, so memory follows the folder.
    const live = new Set(
      [...next.values()].flatMap((file) => [file.hash, file.lastValid?.hash ?? file.hash]),
    );
    for (const hash of this.parses.keys()) {
      if (live.has(hash)) continue;
      this.parses.delete(hash);
      this.cacheDirty = true;
    }
    const files: ParsedFile[] = [];
    const hashes = new Map<string, string>();
    for (const [name, file] of next) {
      if (file.parsed.article || !file.lastValid) {
        files.push(file.parsed);
        if (file.parsed.article) hashes.set(name, file.hash);
        continue;
      }
      files.push({
        file: name,
        article: file.lastValid.article,
        issues: file.parsed.issues.map((issue) => ({
          ...issue,
          severity: "warning",
          reason: `${issue.reason} ${KEPT_LIVE}`,
        })),
      });
      hashes.set(name, file.lastValid.hash);
    }
    return { files, hashes, changed, unsettled };
  }

  /**
   * Keeps the parses and the files' sizes and times on disk for the next start (written to a temporary name and
   * renamed), once that saves the next start more than the write costs: writing the cache of 10,000 articles
   * takes about as long as reading SAVE_WORTH.reads files or parsing SAVE_WORTH.parses, so a new article or
   * two are left to be read again instead. The first write always happens.
   */
  saveCache(): void {
    if (!this.cachePath || !this.cacheDirty) return;
    if (
      existsSync(this.cachePath) &&
      this.unsaved.reads < SAVE_WORTH.reads &&
      this.unsaved.parses < SAVE_WORTH.parses
    )
      return;
    this.unsaved = { reads: 0, parses: 0 };
    const files = Object.fromEntries(
      [...this.known].map(([name, file]) => [
        name,
        [file.mtimeMs, file.size, file.readAtMs, file.hash] as [number, number, number, string],
      ]),
    );
    writeCache(this.cachePath, {
      fingerprint: parserFingerprint(),
      entries: Object.fromEntries(this.parses),
      folder: { dir: resolve(this.dir), files },
    });
    this.cacheDirty = false;
  }

  /** The parses, and this folder's files as last read (a file whose size or time moved since is read again, as in a watch). */
  private loadCache(path: string): void {
    const cache = readCache(path, parserFingerprint());
    if (!cache) return;
    for (const [hash, entry] of Object.entries(cache.entries)) this.parses.set(hash, entry);
    if (cache.folder?.dir !== resolve(this.dir)) return;
    for (const [name, [mtimeMs, size, readAtMs, hash]] of Object.entries(cache.folder.files)) {
      const entry = this.parses.get(hash);
      if (!entry) continue;
      const parsed = withFileName(entry, name);
      this.known.set(name, {
        mtimeMs,
        size,
        readAtMs,
        hash,
        parsed,
        ...(parsed.article ? { lastValid: { article: parsed.article, hash } } : {}),
      });
    }
  }
}

async function listDir(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new DataDirError(
        `the data folder ${JSON.stringify(dir)} does not exist: create it, or set DATA_DIR to the folder of article files`,
      );
    if (code === "ENOTDIR")
      throw new DataDirError(
        `${JSON.stringify(dir)} is a file, not a folder: set DATA_DIR to the folder of article files`,
      );
    throw new DataDirError(
      `the data folder ${JSON.stringify(dir)} cannot be read (${code ?? String(error)})`,
    );
  }
}

/** `2026-11-30-a-new-model.md`: how files sort by date, and how feedloom new, the API's Micropub and the docs name them. */
const ARTICLE_NAME = /^\d{4}-\d\d-\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/;

/**
 * A parse (cached by content) given the file it came from, and a warning when that file's name
 * breaks the convention. The cache stores results without file names, so that a renamed file still
 * hits; names are put back here.
 */
function withFileName(entry: CachedParse, file: string): ParsedFile {
  const named = ARTICLE_NAME.test(file.split(/[\\/]/).pop() ?? file);
  return {
    file,
    ...(entry.article ? { article: { ...entry.article, file } } : {}),
    issues: [
      ...(named
        ? []
        : [
            {
              file,
              field: "file name",
              reason:
                "should be YYYY-MM-DD-slug.md: the day it was published, then lowercase letters, digits and hyphens (as feedloom new writes it)",
              severity: "warning" as const,
            },
          ]),
      ...entry.issues.map((issue) => ({ ...issue, file })),
    ],
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
    for (const name of readdirSync(contentDir).sort())
      hash.update(name).update(readFileSync(join(contentDir, name)));
  } catch {
    try {
      hash.update(readFileSync(fileURLToPath(import.meta.url)));
    } catch {
      hash.update(String(Date.now())); // neither on disk: never trust an old cache
    }
  }
  return (fingerprintMemo = hash.digest("base64url"));
}

function readCache(path: string, fingerprint: string): CacheFile | undefined {
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as CacheFile;
    return file.fingerprint === fingerprint ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a crash never leaves half a cache. */
function writeCache(path: string, file: CacheFile): void {
  try {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(`${path}.${process.pid}.tmp`, JSON.stringify(file));
    renameSync(`${path}.${process.pid}.tmp`, path);
  } catch (error) {
    console.warn(
      `feedloom: parse cache not written (${error instanceof Error ? error.message : String(error)}); the next start parses every file again`,
    );
  }
}
