/**
 * How the server and the command-line tools end on a problem the user can fix
 * (bad configuration, no data folder): one line saying what to do, no stack
 * trace. Anything else is a bug and keeps its stack.
 */
import { ConfigError } from "../config.js";
import { DataDirError } from "../sources/fs-source.js";

export function runMain(
  name: string,
  main: () => Promise<number | void>,
  { userErrorExit = 1 } = {},
): void {
  main().then(
    (code) => {
      if (typeof code === "number") process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ConfigError || error instanceof DataDirError) {
        console.error(`${name}: ${error.message}`);
        process.exitCode = userErrorExit;
      } else {
        console.error(`${name}: internal error:`, error);
        process.exitCode = 70; // EX_SOFTWARE
      }
    },
  );
}
