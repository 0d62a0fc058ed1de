/**
 * A copy of this repository's Worker project in a temporary folder (its
 * package.json, tsconfig, wrangler.toml, src/, the fixtures as data/, and
 * links to migrations/ and node_modules/), and `npm run dev` started in it
 * as a user starts it: what the guides' Worker commands are tested against
 * without touching the repository's own data/ or generated/.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { FIXTURES } from "./helpers.js";

export function copyWorkerProject(prefix: string): string {
  const project = mkdtempSync(join(tmpdir(), prefix));
  for (const name of ["package.json", "tsconfig.json", "wrangler.toml"])
    cpSync(name, join(project, name));
  cpSync("src", join(project, "src"), { recursive: true });
  cpSync(FIXTURES, join(project, "data"), { recursive: true });
  symlinkSync(resolve("migrations"), join(project, "migrations"));
  symlinkSync(resolve("node_modules"), join(project, "node_modules"));
  return project;
}

/** The wrangler.toml lines between the block's header comment and the next blank line, uncommented. */
export function uncommentD1Block(toml: string): string {
  return toml.replace(/^# (\[\[d1_databases\]\]\n(?:# .*\n)+)/m, (block) =>
    block.replace(/^# /gm, ""),
  );
}

export interface DevServer {
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** `npm run dev -- --port PORT …args` in `project`, once it says Ready; stopped by its process group. */
export async function startDev(
  project: string,
  port: number,
  args: readonly string[] = [],
): Promise<DevServer> {
  const dev: ChildProcess = spawn("npm", ["run", "dev", "--", "--port", String(port), ...args], {
    cwd: project,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [dev.stdout!, dev.stderr!]) stream.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    process.kill(-dev.pid!, "SIGTERM");
    await new Promise((done) => dev.once("exit", done));
  };
  await new Promise<void>((ready, fail) => {
    const check = () => (/Ready on http/.test(output) ? ready() : undefined);
    dev.stdout!.on("data", check);
    dev.stderr!.on("data", check);
    dev.once("exit", (code) => fail(new Error(`npm run dev exited with ${code}:\n${output}`)));
  });
  return { output: () => output, stop };
}
