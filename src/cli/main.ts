/**
 * `feedloom COMMAND [options]`: the one command line. The repository's own
 * npm scripts call it too, so there is one code path. Exit codes: 0 all well,
 * 1 problems found (invalid articles, failing feeds, a port in use), 2 a
 * usage error, 70 a bug.
 */
import { ConfigError } from "../config.js";
import { DataDirError } from "../sources/fs-source.js";
import { GENERATOR } from "../feeds/model.js";
import { type Command, type Env, UsageError, helpText, parseCommandArgs } from "./command.js";

/**
 * Each command's module, loaded when that command runs: a start pays only for its own
 * libraries (an export loaded the server's HTTP client, SQLite and feed checker, about half a
 * second on this machine, before it began). The overview loads them all.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import("./serve.js")).serve,
  export: async () => (await import("./export.js")).exportCommand,
  validate: async () => (await import("./validate.js")).validate,
  check: async () => (await import("./check.js")).check,
  publish: async () => (await import("./publish.js")).publish,
  build: async () => (await import("./build.js")).build,
  init: async () => (await import("./init.js")).init,
  new: async () => (await import("./new.js")).newArticle,
  demo: async () => (await import("./demo.js")).demo,
};
/** Run by npm scripts, not shown in the help. */
const INTERNAL: Record<string, () => Promise<Command>> = {
  "announce-deploy": async () => (await import("./announce-deploy.js")).announceDeploy,
};

async function overview(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((command) => command.name.length)) + 2;
  return [
    "Usage: feedloom COMMAND [options]",
    "",
    "Publishes a folder of news articles as RSS, Atom and JSON feeds.",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    "",
    "Options:",
    "  -h, --help     show this help (feedloom COMMAND --help for a command's)",
    "  -v, --version  show the version",
    "",
  ].join("\n");
}

/** The command named (own keys only: `feedloom constructor` is no command). */
const loaderOf = (name: string | undefined) =>
  name === undefined
    ? undefined
    : [COMMANDS, INTERNAL].find((table) => Object.hasOwn(table, name))?.[name];

/** A data folder that cannot be read is a usage error for validate, whose exit 1 means invalid files. */
const USER_ERRORS_EXIT: Record<string, number> = { validate: 2 };

export async function main(argv: string[], env: Env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v") {
    console.log(GENERATOR.version);
    return 0;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(await overview());
    return 0;
  }
  const load = loaderOf(name);
  if (!load) {
    process.stderr.write(
      `${name === undefined ? "feedloom: give a command" : `feedloom: no command ${JSON.stringify(name)}`}\n\n${await overview()}`,
    );
    return 2;
  }
  const command = await load();
  const prefix = `feedloom ${command.name}`;
  try {
    const input = parseCommandArgs(command, rest, env);
    if (input.values.help) {
      process.stdout.write(helpText(command));
      return 0;
    }
    return await command.run(input);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(
        `${prefix}: ${error.message}\nRun feedloom ${command.name} --help for its options.`,
      );
      return 2;
    }
    if (error instanceof ConfigError || error instanceof DataDirError) {
      console.error(`${prefix}: ${error.message}`);
      return USER_ERRORS_EXIT[command.name] ?? 1;
    }
    console.error(`${prefix}: internal error:`, error);
    return 70; // EX_SOFTWARE
  }
}
