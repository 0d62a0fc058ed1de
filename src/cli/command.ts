/**
 * One shape for every subcommand of `feedloom`: its name, one line of what it
 * does, its arguments and its options, each with the text `--help` shows.
 * Flags that configure the service are environment variables given another
 * way (`--base-url` is PUBLIC_URL, `--port` is PORT): a command reads its
 * configuration from one record, whichever way it was given.
 */
import { parseArgs } from "node:util";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** What `--help` shows after the flag: `--out DIR`. */
  value?: string;
  description: string;
  /** The environment variable this flag sets, for a command that reads its configuration from there. */
  env?: string;
  /** A string option's value when it is not given. */
  default?: string;
}

export type Values = Record<string, string | boolean | undefined>;
export type Env = Record<string, string | undefined>;

export interface Command {
  name: string;
  summary: string;
  /** The positional arguments as `--help` shows them: `[DIR]`. */
  args: string;
  /** How many positional arguments it takes at most. */
  maxArgs: number;
  options: Record<string, OptionSpec>;
  /** Longer help, after the options. */
  details?: string;
  /** Resolves with the exit code: 0 all well, 1 problems found. */
  run(input: { values: Values; args: string[]; env: Env }): Promise<number>;
}

/** A mistake in how the command was called: exit 2 with what to type instead. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Options every command shares. */
const SHARED: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", description: "show this help" },
};

/** Options that configure where the service listens and what it calls itself. */
export const BASE_URL: Record<string, OptionSpec> = {
  "base-url": {
    type: "string",
    value: "URL",
    env: "PUBLIC_URL",
    description:
      "the public address the feeds are served from (PUBLIC_URL), e.g. https://feeds.example.org/news",
  },
};
/** `--data DIR`: the folder of articles, for the commands that also take it as their DIR argument. */
export const DATA: Record<string, OptionSpec> = {
  data: { type: "string", value: "DIR", description: "the articles, as the DIR argument" },
};
export const LISTEN: Record<string, OptionSpec> = {
  port: {
    type: "string",
    short: "p",
    value: "PORT",
    env: "PORT",
    description: "port to listen on (PORT, default 8787)",
  },
  host: {
    type: "string",
    value: "HOST",
    env: "HOST",
    description: "address to listen on (HOST, default 127.0.0.1; 0.0.0.0 for every interface)",
  },
};

export function helpText(command: Command): string {
  const options = { ...command.options, ...SHARED };
  const flags = Object.entries(options).map(([name, option]) => {
    const short = option.short ? `-${option.short}, ` : "";
    return [
      `  ${short}--${name}${option.value ? ` ${option.value}` : ""}`,
      option.description,
    ] as const;
  });
  const width = Math.max(...flags.map(([flag]) => flag.length)) + 2;
  return [
    `Usage: feedloom ${command.name}${command.args ? ` ${command.args}` : ""} [options]`,
    "",
    command.summary,
    "",
    "Options:",
    ...flags.map(([flag, description]) => `${flag.padEnd(width)}${description}`),
    ...(command.details ? ["", command.details] : []),
    "",
  ].join("\n");
}

/** Parses a command's arguments: its values, its positionals, and the environment its flags set. */
export function parseCommandArgs(command: Command, argv: string[], env: Env) {
  const options = { ...command.options, ...SHARED };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(options).map(([name, { type, short, default: given }]) => [
          name,
          { type, ...(short ? { short } : {}), ...(given !== undefined ? { default: given } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ""));
  }
  const { values, positionals } = parsed;
  if (positionals.length > command.maxArgs) {
    throw new UsageError(
      `${command.name} takes ${command.args || "no arguments"}, got ${positionals.map((arg) => JSON.stringify(arg)).join(" ")}`,
    );
  }
  const set = Object.entries(options).flatMap(([name, option]) =>
    option.env && typeof values[name] === "string" ? [[option.env, values[name]]] : [],
  );
  return {
    values: values as Values,
    args: positionals,
    env: { ...env, ...Object.fromEntries(set) },
  };
}

/** A string option's value (its default when not given). */
export function text(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== "string") throw new Error(`option --${name} has no value and no default`);
  return value;
}

/** The data folder: `--data`, else the command's argument, else DATA_DIR, else `data`. */
export function dataDir(args: string[], env: Env, values: Values = {}): string {
  const flag = values.data;
  return (typeof flag === "string" ? flag : undefined) ?? args[0] ?? env.DATA_DIR ?? "data";
}
