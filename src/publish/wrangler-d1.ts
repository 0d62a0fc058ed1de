/**
 * D1 through wrangler (`wrangler d1 execute`), local or remote: the same
 * commands an operator runs by hand. Credentials stay wrangler's business
 * (`wrangler login`, or CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID in the
 * environment); nothing here reads or prints them.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify, stripVTControlCharacters } from "node:util";

import { ConfigError } from "../config.js";

const run = promisify(execFile);

export interface D1Target {
  /** The database's binding or name in the wrangler configuration. */
  database: string;
  remote: boolean;
  /** wrangler.toml to read the database from (default: the one in the current folder). */
  config?: string;
  /** Local state folder (wrangler's --persist-to), for --local. */
  persistTo?: string;
}

const WRANGLER = join("node_modules", ".bin", "wrangler");

function targetArgs(target: D1Target): string[] {
  return [
    target.database,
    target.remote ? "--remote" : "--local",
    ...(target.config ? ["--config", target.config] : []),
    ...(!target.remote && target.persistTo ? ["--persist-to", target.persistTo] : []),
  ];
}

async function wrangler(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(WRANGLER, args, {
      maxBuffer: 1024 * 1024 * 1024,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    return stdout;
  } catch (error) {
    // wrangler is an optional peer of the package: only publish needs it.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ConfigError(
        `publish needs wrangler, and ${WRANGLER} is not there: install it in this project with npm install --save-dev wrangler`,
      );
    }
    const { stderr = "", stdout = "" } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `wrangler d1 execute failed: ${wranglerSaid(stdout, stderr) || (error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * What wrangler said went wrong, whole: with --json its error is a JSON
 * document on stdout; otherwise its `✘ [ERROR]` line and the lines after it,
 * less colours, the log-file note and the bug-report boilerplate.
 */
export function wranglerSaid(stdout: string, stderr: string): string {
  try {
    const text = (JSON.parse(stdout) as { error?: { text?: unknown } }).error?.text;
    if (typeof text === "string") return text;
  } catch {
    // Not wrangler's JSON: read its text below.
  }
  const lines = stripVTControlCharacters(`${stderr}\n${stdout}`).split("\n");
  const start = lines.findIndex((line) => line.includes("[ERROR]"));
  return lines
    .slice(Math.max(start, 0))
    .map((line) => line.replace(/^✘ \[ERROR\] /, "").trim())
    .filter(
      (line) =>
        line !== "" && !line.startsWith("🪵") && !line.startsWith("If you think this is a bug"),
    )
    .join(" ");
}

/** The rows of each `;`-separated query, in order. */
export async function d1Query(target: D1Target, sql: string): Promise<Record<string, unknown>[][]> {
  const stdout = await wrangler([
    "d1",
    "execute",
    ...targetArgs(target),
    "--json",
    "--command",
    sql,
  ]);
  return (
    JSON.parse(stdout.slice(stdout.indexOf("["))) as { results: Record<string, unknown>[] }[]
  ).map((result) => result.results);
}

/** Runs statements from a file written into `workDir`. */
export async function d1ExecuteStatements(
  target: D1Target,
  statements: string[],
  workDir: string,
): Promise<void> {
  const file = join(workDir, "publish.sql");
  writeFileSync(file, `${statements.join("\n")}\n`);
  await wrangler(["d1", "execute", ...targetArgs(target), "--file", file, "--yes"]);
}
