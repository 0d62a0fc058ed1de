/**
 * What every place the API writes articles to shares: a change set, its
 * results, and the ETag of a stored file's text. The places are the data
 * folder on Node (folder.ts) and D1 on a Worker (d1-articles.ts).
 */
import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { StoreScope } from "../index/store.js";

export interface Stored {
  text: string;
  etag: string;
}

/** One write of a change set: a file's new text, or its removal (`text` undefined). */
export interface Change {
  key: string;
  text?: string;
}

export interface ChangeResult {
  result: "created" | "replaced" | "unchanged" | "deleted" | "absent";
  /** The ETag of what is stored now; none after a removal. */
  etag?: string;
  /**
   * The live feeds the change altered, where the store works them out (D1): the API tells the
   * WebSub hubs of them. On Node the live reload does, so the folder leaves this out.
   */
  scopes?: StoreScope[];
}

export interface ArticleFiles {
  list(): Promise<{ key: string; etag: string }[]>;
  read(key: string): Promise<Stored | undefined>;
  /** The key of the article whose webUrl this is (Micropub names posts by URL). */
  keyOfUrl(url: string): Promise<string | undefined>;
  /**
   * Applies every change or none. `check` sees each change with what is stored under its key (inside
   * the same lock, so that no other write comes between) and throws to refuse the whole set.
   */
  apply(
    changes: readonly Change[],
    check: (change: Change, stored: Stored | undefined) => void,
    /** The token's name, for the store's own record of writes (D1 keeps the last ones; on Node the log is the record). */
    by?: string,
  ): Promise<ChangeResult[]>;
}

export const etagOf = (text: string): string =>
  `"${createHash("sha256").update(text).digest("base64url").slice(0, 27)}"`;

/** What a change does to what is stored under its key. */
export function resultOf(change: Change, stored: Stored | undefined): ChangeResult {
  if (change.text === undefined) return { result: stored ? "deleted" : "absent" };
  const etag = etagOf(change.text);
  if (!stored) return { result: "created", etag };
  return { result: stored.text === change.text ? "unchanged" : "replaced", etag };
}

/** A change that writes something: not a replace with the same text, nor a delete of nothing. */
export const isEffective = ({ result }: ChangeResult): boolean =>
  result !== "unchanged" && result !== "absent";

/** A change set applied for a request (the API's and Micropub's); the feeds it changed are announced. */
export type ApplyFor = (
  c: Context,
  by: string,
  changes: readonly Change[],
  check: (change: Change, stored: Stored | undefined) => void,
) => Promise<ChangeResult[]>;
