/**
 * A data folder kept live on Node: file events (fs.watch) and a rescan every
 * few seconds by modification time (for file systems whose events do not
 * arrive) start a reload. Events are gathered first, so an editor's save
 * through a temporary file, or 1,000 files copied at once, is one reload.
 * Reloads never overlap; each scans the folder (only changed files are read
 * and parsed), indexes it anew and hands the result on whole, so the caller
 * can swap it in at once. A folder that cannot be read leaves the last good
 * set live.
 */
import { type FSWatcher, watch } from "node:fs";
import type { Article } from "../content/article.js";
import { type StoreScope, publishedCutoff, scopesOf } from "../index/store.js";
import type { ArticleFolder } from "./fs-source.js";
import { type LoadOptions, type LoadResult, indexScan } from "./load.js";

/** Quiet time after the last event before a reload, and the longest an event waits. */
const QUIET_MS = 50;
const MAX_WAIT_MS = 300;

export interface Reload {
  result: LoadResult;
  /** Articles (by id) new, changed or gone since the last load. */
  added: number;
  changed: number;
  removed: number;
  /** Feeds whose items changed for readers now: scheduled articles count when they go out. */
  changedScopes: StoreScope[];
  ms: number;
}

export interface LiveFolderOptions {
  folder: ArticleFolder;
  /** The load the watch starts from (its scan is the folder's last). */
  initial: LoadResult;
  /** Read at each reload: the preview switch and the instant. */
  loadOptions: () => LoadOptions;
  /** Seconds between rescans; 0 for none. */
  rescanSeconds: number;
  /** Rescans alone, no file events (network file systems, some container mounts). */
  pollOnly?: boolean;
  onReload: (reload: Reload) => void;
  /** A reload that failed; the last good set stays live. */
  onError: (error: unknown) => void;
}

export interface LiveFolder {
  close(): void;
}

export function watchFolder(options: LiveFolderOptions): LiveFolder {
  const { folder } = options;
  let current = options.initial;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let firstEventAt = 0;

  const reloadOnce = async () => {
    const started = performance.now();
    const scan = await folder.scan();
    if (!scan.changed) return;
    const loadOptions = options.loadOptions();
    const result = indexScan(scan, folder.dir, loadOptions);
    const diff = compare(current, result, loadOptions.now);
    current = result;
    options.onReload({ result, ...diff, ms: performance.now() - started });
    // A file read while it was being written is read again once it settles.
    if (scan.unsettled > 0) schedule();
  };
  const reload = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = reloadOnce()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          void reload();
        }
      });
    return running;
  };
  const schedule = () => {
    const now = Date.now();
    if (timer === undefined) firstEventAt = now;
    else clearTimeout(timer);
    const wait = Math.max(0, Math.min(QUIET_MS, firstEventAt + MAX_WAIT_MS - now));
    timer = setTimeout(() => {
      timer = undefined;
      void reload();
    }, wait);
  };

  let watcher: FSWatcher | undefined;
  if (!options.pollOnly) {
    try {
      watcher = watch(folder.dir, { persistent: false }, schedule);
      watcher.on("error", options.onError);
    } catch (error) {
      options.onError(error); // no events on this file system: the rescans still see changes
    }
  }
  const rescans =
    options.rescanSeconds > 0
      ? setInterval(() => void reload(), options.rescanSeconds * 1000)
      : undefined;
  rescans?.unref();
  return {
    close() {
      watcher?.close();
      if (timer) clearTimeout(timer);
      if (rescans) clearInterval(rescans);
    },
  };
}

/** What changed between two loads, by article id; an article counts for feeds only once it is out at `now`. */
function compare(
  before: LoadResult,
  after: LoadResult,
  now: number,
): Omit<Reload, "result" | "ms"> {
  const cutoff = publishedCutoff(now);
  const old = new Map(before.index.articles.map((article) => [article.id, article]));
  const touched: Article[] = [];
  let added = 0;
  let changed = 0;
  for (const article of after.index.articles) {
    const previous = old.get(article.id);
    old.delete(article.id);
    if (!previous) {
      added++;
      touched.push(article);
    } else if (previous !== article && !sameArticle(previous, article)) {
      changed++;
      touched.push(previous, article);
    }
  }
  touched.push(...old.values());
  return {
    added,
    changed,
    removed: old.size,
    changedScopes: scopesOf(touched.filter((article) => article.published <= cutoff)),
  };
}

/** An unchanged file keeps its article object; a renamed or rewritten one is compared by content. */
function sameArticle(a: Article, b: Article): boolean {
  return JSON.stringify({ ...a, file: "" }) === JSON.stringify({ ...b, file: "" });
}
