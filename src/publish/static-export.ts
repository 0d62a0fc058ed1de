/**
 * Writes the site as static files by requesting every URL through the app
 * (in the spirit of Hono's toSSG): what a static host serves is byte for byte
 * what the live service answers. Incremental: a file is written only when its
 * bytes changed, and the files an earlier export produced but this one does
 * not are removed (a manifest in the folder remembers them; nothing else in
 * the folder is touched).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";

const MANIFEST = ".feedloom-export.json";
/** Requests in flight at once: the app awaits its hashing, so others render meanwhile. */
const IN_FLIGHT = 8;

export interface ExportSummary {
  /** URLs whose files were written: new or changed bytes. */
  writtenUrls: string[];
  files: number;
  written: number;
  unchanged: number;
  removed: number;
  bytes: number;
}

interface App {
  request(url: string): Response | Promise<Response>;
}

/** `/topics/ai/` -> `topics/ai/index.html`; `/feed.rss` -> `feed.rss`; percent-escapes decoded, as static hosts decode paths. */
export function fileForUrl(path: string): string {
  const segments = path.split("/").slice(1).map((segment) => decodeURIComponent(segment));
  if (segments.some((segment) => segment === "." || segment === ".." || segment.includes(sep) || segment.includes("\0"))) {
    throw new Error(`${path}: not a path that can be a file`);
  }
  if (segments.at(-1) === "") segments[segments.length - 1] = "index.html";
  return segments.join("/");
}

export async function exportSite(options: {
  app: App;
  origin: string;
  urls: readonly string[];
  out: string;
  /** Files that are no URL's (the host's `_headers`, the not-found page), written and tracked the same way. */
  extra?: readonly { file: string; body: string }[];
  onProgress?: (done: number, total: number) => void;
}): Promise<ExportSummary> {
  const { app, origin, urls, out, onProgress, extra = [] } = options;
  mkdirSync(out, { recursive: true });
  const manifestPath = join(out, MANIFEST);
  const previous = new Set<string>(existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, "utf8")) as string[]) : []);
  const produced: string[] = [];
  const summary: ExportSummary = { writtenUrls: [], files: 0, written: 0, unchanged: 0, removed: 0, bytes: 0 };
  const folders = new Set<string>();
  let next = 0;
  let done = 0;
  // The extra files count in the progress too, so that its last figure is the total the summary reports.
  const total = urls.length + extra.length;
  const exportOne = async (url: string) => {
    const response = await app.request(`${origin}${url}`);
    if (response.status !== 200) throw new Error(`${url}: the app answered ${response.status}: ${(await response.text()).trim().slice(0, 200)}`);
    keep(fileForUrl(url), new Uint8Array(await response.arrayBuffer()), url);
    onProgress?.(++done, total);
  };
  const keep = (file: string, bytes: Uint8Array, url?: string) => {
    const path = join(out, file);
    produced.push(file);
    summary.bytes += bytes.byteLength;
    // Only a file an earlier export wrote can be unchanged.
    if (previous.has(file) && existsSync(path) && statSync(path).size === bytes.byteLength && Buffer.compare(readFileSync(path), bytes) === 0) {
      summary.unchanged++;
    } else {
      const folder = dirname(path);
      if (!folders.has(folder)) mkdirSync(folder, { recursive: true }), folders.add(folder);
      writeFileSync(path, bytes);
      summary.written++;
      if (url) summary.writtenUrls.push(url);
    }
  };
  const worker = async () => {
    while (next < urls.length) await exportOne(urls[next++]);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  for (const { file, body } of extra) {
    keep(file, new TextEncoder().encode(body));
    onProgress?.(++done, total);
  }
  summary.writtenUrls.sort();
  const current = new Set(produced);
  for (const file of previous) {
    if (current.has(file)) continue;
    rmSync(join(out, file), { force: true });
    removeEmptyParents(out, dirname(join(out, file)));
    summary.removed++;
  }
  writeFileSync(manifestPath, `${JSON.stringify([...current].sort(), null, 1)}\n`);
  summary.files = current.size;
  return summary;
}

function removeEmptyParents(root: string, dir: string): void {
  for (let at = dir; at.startsWith(root) && at !== root; at = dirname(at)) {
    if (readdirSync(at).length > 0) return;
    rmdirSync(at);
  }
}
