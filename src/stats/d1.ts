/** The statistics database on Workers: D1, the same SQLite the Node server runs in sql.js. */
import type { D1Like } from "../sources/d1-store.js";
import type { SqlDatabase } from "./store.js";

export function d1Database(db: D1Like): SqlDatabase {
  return {
    // D1 runs a batch as one transaction.
    batch: async (statements) =>
      (
        await db.batch<Record<string, unknown>>(
          statements.map(({ sql, params }) => db.prepare(sql).bind(...params)),
        )
      ).map((result) => result.results),
  };
}
