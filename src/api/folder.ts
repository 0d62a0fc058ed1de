/**
 * Where the API's writes land on Node: markdown files in the data folder,
 * the one source of truth (the live reload turns them into feeds, and tells
 * the WebSub hubs). One change set at a time per folder; each file goes
 * through a temporary file and a rename, and a change set keeps every file it
 * replaces or deletes until all of its renames succeeded, and puts them back
 * if one fails: all or nothing. The temporary files are dot-files, which the
 * folder's scan never reads as articles.
 */
import { randomBytes } from "node:crypto";
import { readFile, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { fieldsOf, parserLoaded } from "./document.js";
import {
  type ArticleFiles,
  type Change,
  type Stored,
  etagOf,
  isEffective,
  resultOf,
} from "./writes.js";

export function articleFiles(dir: string): ArticleFiles {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const path = join(root, `${key}.md`);
    // The API checked the key; this is the second lock on the same door.
    if (!path.startsWith(root + sep) || path.slice(root.length + 1).includes(sep))
      throw new Error(`refused to write outside ${root}: ${key}`);
    return path;
  };
  const read = async (key: string): Promise<Stored | undefined> => {
    try {
      const text = await readFile(pathOf(key), "utf8");
      return { text, etag: etagOf(text) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  };
  let queue: Promise<unknown> = Promise.resolve();
  const locked = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const list = async () => {
    const names = (await readdir(root)).filter(
      (name) => name.endsWith(".md") && !name.startsWith("."),
    );
    const keys = names.map((name) => name.slice(0, -3)).sort();
    return Promise.all(keys.map(async (key) => ({ key, etag: (await read(key))?.etag ?? "" })));
  };

  return {
    list,
    read,
    // The folder has no index by URL: every file is read (Micropub's updates and deletes are rare).
    async keyOfUrl(url) {
      await parserLoaded();
      for (const { key } of await list()) {
        const stored = await read(key);
        if (stored && fieldsOf(stored.text).webUrl === url) return key;
      }
      return undefined;
    },
    apply: (changes, check) =>
      locked(async () => {
        const stored = await Promise.all(changes.map((change) => read(change.key)));
        changes.forEach((change, index) => check(change, stored[index]));
        const results = changes.map((change, index) => resultOf(change, stored[index]));
        await commit(
          changes.filter((_, index) => isEffective(results[index])),
          pathOf,
        );
        return results;
      }),
  };
}

/**
 * Writes every new text to a temporary file, moves every file it replaces or deletes aside, then
 * renames the new ones into place; on any failure, removes what it wrote and moves the old back.
 */
async function commit(changes: readonly Change[], pathOf: (key: string) => string): Promise<void> {
  const tag = randomBytes(6).toString("hex");
  const aside = (key: string, kind: string) =>
    pathOf(key).replace(/([^/\\]+)$/, `.$1.${tag}.${kind}`);
  const temporary: string[] = [];
  const movedAside: { from: string; to: string }[] = [];
  const placed: string[] = [];
  try {
    for (const change of changes) {
      if (change.text === undefined) continue;
      const path = aside(change.key, "tmp");
      await writeFile(path, change.text, { flag: "wx" });
      temporary.push(path);
    }
    for (const change of changes) {
      const from = pathOf(change.key);
      const to = aside(change.key, "old");
      try {
        await rename(from, to);
        movedAside.push({ from, to });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    for (const change of changes) {
      if (change.text === undefined) continue;
      await rename(aside(change.key, "tmp"), pathOf(change.key));
      placed.push(pathOf(change.key));
    }
  } catch (error) {
    await Promise.all([...temporary, ...placed].map((path) => unlink(path).catch(() => undefined)));
    for (const { from, to } of movedAside) await rename(to, from).catch(() => undefined);
    throw error;
  }
  await Promise.all(movedAside.map(({ to }) => unlink(to).catch(() => undefined)));
}
