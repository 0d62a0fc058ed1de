/**
 * `feedloom COMMAND [options]`: the one command line. The repository's own
 * npm scripts call it too, so there is one code path. Exit codes: 0 all well,
 * 1 problems found (invalid articles, failing feeds, a port in use), 2 a
 * usage error, 70 a bug.
 */
import { ConfigError } from "../config.js";
import { DataDirError } from "../sources/fs-source.js";
import { GENERATOR } from "../feeds/model.js";
import { announceDeploy } from "./announce-deploy.js";
import { build } from "./build.js";
import { check } from "./check.js";
import { type Command, type Env, UsageError, helpText, parseCommandArgs } from "./command.js";
import { exportCommand } from "./export.js";
import { demo } from "./demo.js";
import { init } from "./init.js";
import { newArticle } from "./new.js";
import { publish } from "./publish.js";
import { serve } from "./serve.js";
import { validate } from "./validate.js";

const COMMANDS: readonly Command[] = [
  serve,
  exportCommand,
  validate,
  check,
  publish,
  build,
  init,
  newArticle,
  demo,
];
/** Run by npm scripts, not shown in the help. */
const INTERNAL: readonly Command[] = [announceDeploy];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length)) + 2;
  return [
    "Usage: feedloom COMMAND [options]",
    "",
    "Publishes a folder of news articles as RSS, Atom and JSON feeds.",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    "",
    "Options:",
    "  -h, --help     show this help (feedloom COMMAND --help for a command's)",
    "  -v, --version  show the version",
    "",
  ].join("\n");
}

/** A data folder that cannot be read is a usage error for validate, whose exit 1 means invalid files. */
const USER_ERRORS_EXIT: Record<string, number> = { validate: 2 };

export async function main(argv: string[], env: Env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v") {
    console.log(GENERATOR.version);
    return 0;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(overview());
    return 0;
  }
  const command = [...COMMANDS, ...INTERNAL].find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(
      `${name === undefined ? "feedloom: give a command" : `feedloom: no command ${JSON.stringify(name)}`}\n\n${overview()}`,
    );
    return 2;
  }
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
