/** The production server for the benches that time it from outside: test/serve.ts's, with rescans off. */
import { readFileSync } from "node:fs";
import { type Served, startServe as startServer } from "../test/serve.js";

export const startServe = (dir: string, env: Record<string, string> = {}): Promise<Served> =>
  startServer(dir, { DATA_RESCAN_SECONDS: "0", ...env });

/** A process's resident memory now (`VmRSS`) or at its peak (`VmHWM`), in MB. */
export const memoryMb = (pid: number, which: "VmRSS" | "VmHWM" = "VmRSS") =>
  Number(
    new RegExp(`${which}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1],
  ) / 1024;
