/** The production server (dist/cli.mjs serve) on a folder, for the tests and benches that drive it over HTTP. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface Served {
  child: ChildProcess;
  origin: string;
  /** All it printed so far, stdout and stderr. */
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts the server on a free port, and resolves once it serves and watches. */
export async function startServe(dir: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, ["dist/cli.mjs", "serve"], {
    env: { ...process.env, PORT: "0", DATA_DIR: dir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (chunk) => (log += chunk));
  child.stderr!.on("data", (chunk) => (log += chunk));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", () => {
      const match = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
      if (match && log.includes("watching ")) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${log}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill("SIGTERM");
    await once(child, "exit");
  };
  return { child, origin: `http://127.0.0.1:${port}`, log: () => log, stop };
}
