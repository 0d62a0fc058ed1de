/**
 * `feedloom publish [DIR] [--local | --remote]`: brings a D1 database to what
 * data/ holds, writing only new and changed articles (by content hash) and
 * deleting removed ones, then tells the WebSub hubs which feeds changed.
 *
 *   --local / --remote   which database (default --local, wrangler dev's)
 *   --database NAME      binding or name in wrangler.toml (default DB)
 *   --config FILE        wrangler configuration (default ./wrangler.toml)
 *   --persist-to DIR     local state folder, as wrangler's own flag
 *   --data DIR           the articles, as the DIR argument (default DATA_DIR, else data)
 *   --skip-invalid       publish even when some files are invalid (they are left out)
 *   --dry-run            report what would change, write nothing
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../config.js";
import { formatIssue } from "../content/report.js";
import {
  type D1State,
  type GroupState,
  type ArticleState,
  STATE_QUERIES,
  planSync,
} from "../publish/d1-sync.js";
import { defaultCacheDir, loadIndexFromDir, summaryLine } from "../sources/load.js";
import { announceChanges } from "../publish/announce.js";
import { type D1Target, d1ExecuteStatements, d1Query } from "../publish/wrangler-d1.js";
import { bindsD1, readWranglerConfig } from "../runtime/wrangler-config.js";
import { type Command, type Env, UsageError, dataDir, DATA } from "./command.js";

export const publish: Command = {
  name: "publish",
  summary:
    "Brings a Cloudflare D1 database to what DIR (default: data) holds, writing only new and changed articles, then tells the WebSub hubs which feeds changed.",
  args: "[DIR]",
  maxArgs: 1,
  options: {
    local: { type: "boolean", description: "the local database wrangler dev serves (the default)" },
    remote: { type: "boolean", description: "the database on Cloudflare (wrangler's credentials)" },
    database: {
      type: "string",
      value: "NAME",
      description: "binding or name in wrangler.toml (default DB)",
    },
    config: {
      type: "string",
      value: "FILE",
      description: "wrangler configuration (default ./wrangler.toml)",
    },
    "persist-to": {
      type: "string",
      value: "DIR",
      description: "local state folder, as wrangler's own flag",
    },
    ...DATA,
    "skip-invalid": {
      type: "boolean",
      description: "publish even when some files are invalid (they are left out)",
    },
    "dry-run": { type: "boolean", description: "report what would change, write nothing" },
  },
  details: "Needs wrangler in the project: npm install --save-dev wrangler.",
  run: ({ values, args, env }) =>
    publishFolder(values as PublishValues, dataDir(args, env, values), env),
};

interface PublishValues {
  local?: boolean;
  remote?: boolean;
  database?: string;
  config?: string;
  "persist-to"?: string;
  "skip-invalid"?: boolean;
  "dry-run"?: boolean;
}

/** How to create the tables: the project's script (DB, as init writes it), or wrangler's command it runs. */
function migrateCommand(target: D1Target): string {
  const where = target.remote ? "--remote" : "--local";
  const wrangler = `npx wrangler d1 migrations apply ${target.database} ${where}`;
  return target.database === "DB" ? `npm run migrate:d1 -- ${where} (${wrangler})` : wrangler;
}

async function publishFolder(values: PublishValues, dir: string, env: Env): Promise<number> {
  if (values.local && values.remote) throw new UsageError("give --local or --remote, not both");
  const target: D1Target = {
    database: values.database ?? "DB",
    remote: values.remote === true,
    config: values.config,
    persistTo: values["persist-to"],
  };
  const where = `${target.remote ? "remote" : "local"} D1 database ${target.database}`;
  const configFile = values.config ?? "wrangler.toml";
  if (!bindsD1(readWranglerConfig(configFile), target.database)) {
    throw new ConfigError(
      `${configFile} binds no D1 database as ${target.database}: uncomment its [[d1_databases]] block (for --local its placeholder database_id works as it is; for --remote paste the id that npx wrangler d1 create feedloom printed), then run ${migrateCommand(target)}`,
    );
  }
  const config = loadConfig(env);

  // Validate first: a file that became invalid would otherwise be deleted from the live feeds.
  const result = await loadIndexFromDir(dir, {
    includeUnpublished: config.includeUnpublished,
    now: Date.now(),
    showScheduled: config.includeUnpublished,
    cacheDir: defaultCacheDir(env),
  });
  for (const issue of result.issues) console.log(formatIssue(issue));
  console.log(summaryLine(result, dir));
  if (result.skipped > 0 && !values["skip-invalid"]) {
    console.error(
      `feedloom publish: ${result.skipped} file(s) above are invalid; nothing was published. Fix them, or pass --skip-invalid to publish the rest (and remove those articles from ${where}).`,
    );
    return 1;
  }

  let current: D1State;
  try {
    const [articles, groups, meta] = await d1Query(
      target,
      `${STATE_QUERIES.articles}; ${STATE_QUERIES.groups}; ${STATE_QUERIES.meta}`,
    );
    current = {
      articles: articles as unknown as ArticleState[],
      groups: groups as unknown as GroupState[],
      meta: Object.fromEntries(meta.map((row) => [String(row.key), String(row.value)])),
    };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (/no such table/i.test(message)) {
      throw new ConfigError(
        `${where} has no feedloom tables yet: run ${migrateCommand(target)} first`,
      );
    }
    throw new ConfigError(`cannot read ${where}: ${message}`);
  }

  const plan = planSync(result.index, current);
  const counts = `${plan.added} added, ${plan.changed} changed, ${plan.removed} removed, ${plan.unchanged} unchanged`;
  if (plan.statements.length === 0) {
    console.log(`feedloom publish: ${where} is up to date (${counts}); nothing written`);
    return 0;
  }
  if (values["dry-run"]) {
    console.log(
      `feedloom publish: would write ${plan.rowsWritten} rows to ${where}: ${counts} (dry run: nothing written)`,
    );
    return 0;
  }
  const work = mkdtempSync(join(tmpdir(), "feedloom-publish-"));
  try {
    await d1ExecuteStatements(target, plan.statements, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const moved =
    plan.moved > 0
      ? `; ${plan.moved} unchanged articles rewritten for their new positions (older articles were added or removed)`
      : "";
  console.log(
    `feedloom publish: ${where}: ${counts}; ${plan.rowsWritten} rows written; content version ${plan.version}${moved}`,
  );
  await announceChanges(config, plan.changedScopes, "feedloom publish");
  return 0;
}
