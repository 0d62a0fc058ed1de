/**
 * Writes the site as static files by requesting every URL through the app
 * (in the spirit of Hono's toSSG): what a static host serves is byte for byte
 * what the live service answers.
 *
 * Incremental: each URL comes with what its bytes depend on (scheme/routes.ts).
 * A record kept outside the site (the export's bookkeeping is nobody's
 * business on the web) holds a fingerprint of those inputs per file, and of
 * the code and configuration (the `salt`). A file whose fingerprint is
 * unchanged, and which is still there, is not rendered at all; a rendered
 * file is written only when its bytes changed; the files an earlier export
 * produced but this one does not are removed (nothing else in the folder is
 * touched). A run over unchanged data renders and writes nothing.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, sep } from "node:path";

/** Where exports before the record kept their list of files: inside the site, which published it. Read once, then removed. */
const LEGACY_MANIFEST = ".feedloom-export.json";
/** Requests in flight at once: while one awaits (the store, a file), others render. */
export const IN_FLIGHT = 8;

export interface ExportSummary {
  /** URLs whose files were written: new or changed bytes. */
  writtenUrls: string[];
  files: number;
  /** Files rendered (their inputs changed, or no record said otherwise). */
  rendered: number;
  written: number;
  unchanged: number;
  removed: number;
  /** Bytes of the files rendered. */
  bytes: number;
  /** Threads that rendered: 2 when a helper took part. */
  threads: number;
}

interface App {
  request(url: string): Response | Promise<Response>;
}

/** A file to export: a URL of the app, or a file of its own (the host's `_headers`, the not-found page), with what it depends on. */
export interface ExportFile {
  file: string;
  /** The URL it answers for, when it is one of the app's. */
  url?: string;
  inputs: readonly unknown[];
  /** The bytes, asked only when the inputs changed. */
  render(): Promise<Uint8Array>;
}

/**
 * What an export remembers between runs: a fingerprint of the code and configuration, and per file
 * the fingerprint of its inputs with the size and modification time it left the file with, so that
 * a file changed or truncated since (by hand, by an interrupted run) is rendered again.
 */
interface ExportRecord {
  salt: string;
  files: Record<string, string>;
}

/** A file's entry in the record: its inputs' fingerprint, and the file as it was left on disk. */
const recorded = (fingerprint: string, onDisk: { size: number; mtimeMs: number }) =>
  `${fingerprint} ${onDisk.size} ${onDisk.mtimeMs}`;

/** `/topics/ai/` -> `topics/ai/index.html`; `/feed.rss` -> `feed.rss`; percent-escapes decoded, as static hosts decode paths. */
export function fileForUrl(path: string): string {
  const segments = path
    .split("/")
    .slice(1)
    .map((segment) => (segment.includes("%") ? decodeURIComponent(segment) : segment));
  if (
    segments.some(
      (segment) =>
        segment === "." || segment === ".." || segment.includes(sep) || segment.includes("\0"),
    )
  ) {
    throw new Error(`${path}: not a path that can be a file`);
  }
  if (segments.at(-1) === "") segments[segments.length - 1] = "index.html";
  return segments.join("/");
}

/** The export file of a URL of the app: its bytes are what the app answers, which must be a 200. */
export function appFile(
  app: App,
  origin: string,
  url: string,
  inputs: readonly unknown[],
): ExportFile {
  return {
    file: fileForUrl(url),
    url,
    inputs,
    async render() {
      const response = await app.request(`${origin}${url}`);
      if (response.status !== 200)
        throw new Error(
          `${url}: the app answered ${response.status}: ${(await response.text()).trim().slice(0, 200)}`,
        );
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/**
 * Fingerprints of inputs, each object's (an article, a group, a list of
 * articles) computed once per run: the list of a topic's articles is shared
 * by all of its files. `known` may hold some already (an article's: its
 * file's content hash, which the parse cache has).
 */
function inputFingerprints(
  salt: string,
  known: WeakMap<object, string>,
): (inputs: readonly unknown[]) => string {
  const of = (value: unknown): string => {
    if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
    let fingerprint = known.get(value);
    if (fingerprint === undefined) {
      const text = Array.isArray(value) ? `[${value.map(of).join(",")}]` : JSON.stringify(value);
      fingerprint = createHash("sha1").update(text).digest("base64url");
      known.set(value, fingerprint);
    }
    return fingerprint;
  };
  return (inputs) =>
    createHash("sha1")
      .update(salt)
      .update("\n")
      .update(inputs.map(of).join("\n"))
      .digest("base64url");
}

/** What became of a rendered file: written (new or changed bytes) or left as it was, and how it was left on disk. */
export interface Produced {
  written: boolean;
  size: number;
  mtimeMs: number;
  bytes: number;
}

/**
 * Puts a rendered file in place, written only when its bytes differ from what is there (`fresh`: the
 * folder was empty, so nothing is). `folders` remembers the folders made, across calls.
 */
export function produceFile(
  path: string,
  bytes: Uint8Array,
  fresh: boolean,
  folders: Set<string>,
): Produced {
  const onDisk = fresh ? undefined : statSync(path, { throwIfNoEntry: false });
  if (onDisk?.size === bytes.byteLength && Buffer.compare(readFileSync(path), bytes) === 0)
    return { written: false, size: onDisk.size, mtimeMs: onDisk.mtimeMs, bytes: bytes.byteLength };
  const folder = dirname(path);
  if (!folders.has(folder)) {
    mkdirSync(folder, { recursive: true });
    folders.add(folder);
  }
  return { written: true, ...writeAndStat(path, bytes), bytes: bytes.byteLength };
}

/** Writes a file and says how it was left, from the open file: a second lookup of its path cost 0.15 s of CPU time at 10k articles. */
function writeAndStat(path: string, bytes: Uint8Array): { size: number; mtimeMs: number } {
  const fd = openSync(path, "w");
  try {
    writeFileSync(fd, bytes);
    const { size, mtimeMs } = fstatSync(fd);
    return { size, mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Positions in a queue of `length` that two threads share, taken from one `end` by this thread and
 * from the other end by the other, until `taken` (a counter both add to) reaches `length`: no
 * position is taken twice, and neither waits while work is left. Files next to each other share
 * their inputs (a feed's three formats, its pages), which each thread computes once for itself:
 * taking from opposite ends leaves each group to one thread, where taking turns made both compute
 * it (1.3 s more CPU time, of about 19 s, in a cold export of 10k articles).
 */
export function sharedQueue(
  taken: Int32Array,
  length: number,
  end: "front" | "back",
): () => number | undefined {
  let mine = 0;
  return () => {
    if (Atomics.add(taken, 0, 1) >= length) return undefined;
    const position = mine++;
    return end === "front" ? position : length - 1 - position;
  };
}

/**
 * A thread that renders and writes some of an export's app files: it takes positions in `urls`
 * from the back of the queue that `next` counts (this thread takes from the front; see
 * sharedQueue), and reports each file it produced.
 */
export interface ExportHelper {
  produce(
    urls: readonly string[],
    next: Int32Array,
    fresh: boolean,
    onProduced: (position: number, produced: Produced) => void,
  ): Promise<void>;
}

/** Files at least this many to render before a helper is asked: below it, starting one costs more than it saves. */
const HELPER_THRESHOLD = 500;

export async function exportSite(options: {
  files: readonly ExportFile[];
  out: string;
  /** Where the record lives, outside `out`; without one, every file is rendered (and still written only when changed). */
  record?: string;
  /** What every file depends on: the code and the configuration. A new salt renders everything again. */
  salt: string;
  /** Fingerprints the caller has already, by object (articles: their file's content hash); the others are hashed. */
  fingerprints?: WeakMap<object, string>;
  /** Another thread for the app files, when at least HELPER_THRESHOLD files are to be rendered. */
  helper?: () => ExportHelper;
  onProgress?: (done: number, total: number) => void;
}): Promise<ExportSummary> {
  const {
    files,
    out,
    record: recordPath,
    salt,
    onProgress,
    fingerprints = new WeakMap(),
  } = options;
  mkdirSync(out, { recursive: true });
  // Into an empty folder, with no record, no file can be there already: none is looked for.
  const fresh = readdirSync(out).length === 0;
  const previous = readRecord(recordPath, out);
  const fingerprintOf = inputFingerprints(salt, fingerprints);
  const current: ExportRecord = { salt, files: {} };
  const summary: ExportSummary = {
    writtenUrls: [],
    files: files.length,
    rendered: 0,
    written: 0,
    unchanged: 0,
    removed: 0,
    bytes: 0,
    threads: 1,
  };
  let done = 0;
  const progressed = () => onProgress?.(++done, files.length);
  // Into an empty folder, or under a new salt, every file renders: fingerprints can wait until each
  // is recorded, so that the helper thread starts rendering sooner (0.1 s at 10k articles).
  const everyFileRenders = fresh || previous.salt !== salt;
  const toRender: { file: ExportFile; fingerprint?: string }[] = [];
  for (const file of files) {
    if (everyFileRenders) {
      toRender.push({ file });
      continue;
    }
    const fingerprint = fingerprintOf(file.inputs);
    const onDisk = statSync(join(out, file.file), { throwIfNoEntry: false });
    const before = previous.files[file.file];
    if (onDisk && before === recorded(fingerprint, onDisk)) {
      current.files[file.file] = before;
      summary.unchanged++;
      progressed();
    } else toRender.push({ file, fingerprint });
  }
  const record = ({ file, fingerprint }: (typeof toRender)[number], produced: Produced) => {
    current.files[file.file] = recorded(fingerprint ?? fingerprintOf(file.inputs), produced);
    summary.rendered++;
    summary.bytes += produced.bytes;
    if (produced.written) {
      summary.written++;
      if (file.url) summary.writtenUrls.push(file.url);
    } else summary.unchanged++;
    progressed();
  };
  await renderAll(toRender, out, fresh, record, options.helper, summary);
  summary.writtenUrls.sort();
  for (const file of Object.keys(previous.files)) {
    if (file in current.files) continue;
    rmSync(join(out, file), { force: true });
    removeEmptyParents(out, dirname(join(out, file)));
    summary.removed++;
  }
  if (recordPath) writeRecord(recordPath, current);
  return summary;
}

/**
 * Renders and places the files: the app's from one queue that this thread and the helper (when
 * there are enough of them) take from at opposite ends, so that neither waits while the other has
 * work; then the others (the host's files), here.
 */
async function renderAll<T extends { file: ExportFile }>(
  toRender: readonly T[],
  out: string,
  fresh: boolean,
  record: (entry: T, produced: Produced) => void,
  helper: (() => ExportHelper) | undefined,
  summary: ExportSummary,
): Promise<void> {
  const appFiles = toRender.filter((entry) => entry.file.url !== undefined);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const folders = new Set<string>();
  const produceHere = async (entry: T) =>
    record(
      entry,
      produceFile(join(out, entry.file.file), await entry.file.render(), fresh, folders),
    );
  const fromFront = sharedQueue(next, appFiles.length, "front");
  const here = async () => {
    for (let position; (position = fromFront()) !== undefined;)
      await produceHere(appFiles[position]);
  };
  const work = Array.from({ length: IN_FLIGHT }, here);
  if (helper && appFiles.length >= HELPER_THRESHOLD) {
    summary.threads = 2;
    const urls = appFiles.map((entry) => entry.file.url!);
    work.push(
      helper().produce(urls, next, fresh, (position, produced) =>
        record(appFiles[position], produced),
      ),
    );
  }
  await Promise.all(work);
  for (const entry of toRender) if (entry.file.url === undefined) await produceHere(entry);
}

/** The record, rewritten only when it changed, its files in order so that the same export writes the same bytes. */
function writeRecord(recordPath: string, current: ExportRecord): void {
  const files = Object.entries(current.files).sort(([a], [b]) => (a < b ? -1 : 1));
  const text = `${JSON.stringify({ salt: current.salt, files: Object.fromEntries(files) })}\n`;
  if (existsSync(recordPath) && readFileSync(recordPath, "utf8") === text) return;
  mkdirSync(dirname(recordPath), { recursive: true });
  writeFileSync(recordPath, text);
}

/** The last run's record; else, once, the file list an older export left in the site (then removed from it). */
function readRecord(recordPath: string | undefined, out: string): ExportRecord {
  const legacy = join(out, LEGACY_MANIFEST);
  if (existsSync(legacy)) {
    const files = JSON.parse(readFileSync(legacy, "utf8")) as string[];
    rmSync(legacy);
    return { salt: "", files: Object.fromEntries(files.map((file) => [file, ""])) };
  }
  if (recordPath && existsSync(recordPath))
    return JSON.parse(readFileSync(recordPath, "utf8")) as ExportRecord;
  return { salt: "", files: {} };
}

/** Removes the folders a removed file leaves empty, up to the site's root; one already gone is passed over. */
function removeEmptyParents(root: string, dir: string): void {
  for (let at = dir; at.startsWith(root) && at !== root; at = dirname(at)) {
    if (!existsSync(at)) continue;
    if (readdirSync(at).length > 0) return;
    rmdirSync(at);
  }
}
