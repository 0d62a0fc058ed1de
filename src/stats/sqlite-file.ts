/**
 * The Node server's statistics database: SQLite compiled to WebAssembly
 * (sql.js: no native add-on to build or download), held in memory and written
 * to `STATE_DIR/stats.sqlite` when it changed, every `flushMs` and at
 * shutdown, through a temporary file renamed over it, so that a crash loses
 * at most one interval and never leaves half a file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import initSqlJs from "sql.js";
import type { SqlDatabase } from "./store.js";

/** A crash loses at most this much counting. */
export const FLUSH_MS = 30_000;

export interface SqliteFile extends SqlDatabase {
  /** Writes the database to its file now, if anything changed since the last write. */
  flush(): void;
  /** Flushes, and stops the timer. */
  close(): void;
  /** The database file's bytes as they would be written (for tests: what the file would hold). */
  bytes(): Uint8Array;
}

/** The statistics migrations D1 applies (migrations/*_stats.sql), found above this module, bundled or not. */
export function statsMigrations(): string[] {
  for (
    let dir = dirname(fileURLToPath(import.meta.url));
    dir !== dirname(dir);
    dir = dirname(dir)
  ) {
    const file = join(dir, "migrations", "0002_stats.sql");
    if (existsSync(file)) return [readFileSync(file, "utf8")];
  }
  throw new Error(
    "migrations/0002_stats.sql not found above the server: run it from the project's folder",
  );
}

export async function openSqliteFile(
  stateDir: string,
  migrations: readonly string[],
  flushMs = FLUSH_MS,
): Promise<SqliteFile> {
  // The WebAssembly file ships inside the package; found from here, bundled or not.
  const wasm = createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");
  const SQL = await initSqlJs({ locateFile: () => wasm });
  const path = join(stateDir, "stats.sqlite");
  let existing: Uint8Array | undefined;
  try {
    existing = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const db = new SQL.Database(existing);
  db.run("CREATE TABLE IF NOT EXISTS feedloom_migrations (name TEXT PRIMARY KEY)");
  for (const migration of migrations) {
    const name = migration.slice(0, 80);
    const done = db.exec("SELECT 1 FROM feedloom_migrations WHERE name = ?", [name]);
    if (done.length > 0) continue;
    db.exec(migration);
    db.run("INSERT INTO feedloom_migrations (name) VALUES (?)", [name]);
  }
  let dirty = existing === undefined;
  const flush = () => {
    if (!dirty) return;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.${process.pid}.tmp`, db.export());
    renameSync(`${path}.${process.pid}.tmp`, path);
    dirty = false;
  };
  const timer = setInterval(flush, flushMs);
  timer.unref();
  return {
    async batch(statements) {
      const results: Record<string, unknown>[][] = [];
      db.run("BEGIN");
      try {
        for (const { sql, params } of statements) {
          const prepared = db.prepare(sql);
          try {
            prepared.bind(params as never[]);
            const rows: Record<string, unknown>[] = [];
            while (prepared.step()) rows.push(prepared.getAsObject());
            results.push(rows);
          } finally {
            prepared.free();
          }
          if (db.getRowsModified() > 0) dirty = true;
        }
        db.run("COMMIT");
      } catch (error) {
        db.run("ROLLBACK");
        throw error;
      }
      return results;
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
    bytes: () => db.export(),
  };
}
