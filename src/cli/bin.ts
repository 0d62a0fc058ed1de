#!/usr/bin/env node
/** The `feedloom` executable: the command line of src/cli/main.ts, with this process's arguments. */
import { main } from "./main.js";

main(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code;
});
