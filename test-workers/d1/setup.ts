/** Each D1 test file starts from migrated databases holding what `npm run publish:d1` would write. */
import { type D1Migration, applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import type { D1Like } from "../../src/sources/d1-store.js";

const { DB, LARGE, TEST_MIGRATIONS } = env as unknown as {
  DB: D1Like;
  LARGE: D1Like;
  TEST_MIGRATIONS: D1Migration[];
};

async function migrateAndSeed(db: D1Like, statements: string[]): Promise<void> {
  await applyD1Migrations(db, TEST_MIGRATIONS);
  if (await db.prepare("SELECT 1 FROM meta LIMIT 1").first()) return;
  for (let start = 0; start < statements.length; start += 500) {
    await db.batch(statements.slice(start, start + 500).map((sql) => db.prepare(sql)));
  }
}

await migrateAndSeed(DB, inject("d1Sample"));
await migrateAndSeed(LARGE, inject("d1Large"));
