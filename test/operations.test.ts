/**
 * The server as an operator runs it: `npm start` builds plain JavaScript and
 * runs it with node alone; mistakes get one line saying what to do.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { PROCESS_TEST_TIMEOUT } from "./helpers.js";

const run = promisify(execFile);
const packageJson = JSON.parse(readFileSync("package.json", "utf8")) as {
  scripts: Record<string, string>;
};

/** Starts dist/cli.mjs serve; resolves with its output once it serves or exits. */
async function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ["dist/cli.mjs", "serve"], {
    env: { ...process.env, FEEDLOOM_CACHE_DIR: "off", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = once(child, "exit").then(([code]) => code as number);
  const serving = new Promise<void>((resolve) =>
    child.stdout.on("data", () => /serving http/.test(stdout) && resolve()),
  );
  const outcome = await Promise.race([
    serving.then(() => "serving" as const),
    exited.then(() => "exited" as const),
  ]);
  return { child, outcome, exited, output: () => ({ stdout, stderr }) };
}

describe("the production server", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  beforeAll(async () => {
    await run("npm", ["run", "--silent", "build:server"]);
  }, PROCESS_TEST_TIMEOUT);

  it("is plain JavaScript run by node: npm start builds it first, no TypeScript loader at run time", () => {
    expect(packageJson.scripts.start).toBe("node dist/cli.mjs serve");
    expect(packageJson.scripts.prestart).toBe("npm run build:server");
    expect(readFileSync("dist/cli.mjs", "utf8")).not.toMatch(/from "tsx"|import\("tsx/);
  });

  it("serves the sample data and stops cleanly on SIGTERM", async () => {
    const server = await startServer({ PORT: "0" });
    expect(server.outcome).toBe("serving");
    const port = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(server.output().stdout)![1];
    const response = await fetch(`http://127.0.0.1:${port}/feed.rss`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<rss");
    expect(server.output().stderr).toMatch(/PUBLIC_URL is not set/);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    // Stopping says so, naming what is no longer served.
    expect(server.output().stdout).toMatch(/\nfeedloom: SIGTERM: stopped serving \S*data\n$/);
  });

  it("says in one line that the data folder is missing, without a stack trace", async () => {
    const server = await startServer({ PORT: "0", DATA_DIR: "/no/such/folder" });
    expect(server.outcome).toBe("exited");
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toBe(
      'feedloom serve: the data folder "/no/such/folder" does not exist: create it, or set DATA_DIR to the folder of article files\n',
    );
  });

  it("says in one line that the port is in use", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const { port } = blocker.address() as AddressInfo;
    try {
      const server = await startServer({ PORT: String(port) });
      expect(server.outcome).toBe("exited");
      expect(await server.exited).toBe(1);
      expect(server.output().stderr).toMatch(
        new RegExp(
          `PUBLIC_URL is not set.*\\nfeedloom serve: port ${port} on 127\\.0\\.0\\.1 is in use \\(another feedloom, or npm run dev\\?\\): stop it, or set PORT to a free port\\n$`,
        ),
      );
    } finally {
      blocker.close();
    }
  });
});

describe("the repository", () => {
  it("gives npm start and npm run dev different ports, so both can run", () => {
    const devPort = /^\[dev\]\n(?:.+\n)*?port = (\d+)$/m.exec(
      readFileSync("wrangler.toml", "utf8"),
    )?.[1];
    expect(devPort).toBeDefined();
    expect(devPort).not.toBe("8787"); // the Node server's default PORT
  });

  it.each(["wrangler.toml", "templates/worker/wrangler.toml"])(
    "%s runs the Cron Trigger as often as the Worker's release slots assume",
    async (file) => {
      const { RELEASE_CHECK_MINUTES } = await import("../src/entry/worker-app.js");
      const crons = /^\[triggers\]\ncrons = (\[.*\])$/m.exec(readFileSync(file, "utf8"))?.[1];
      expect(JSON.parse(crons!)).toEqual([`*/${RELEASE_CHECK_MINUTES} * * * *`]);
    },
  );

  it("names in wrangler.toml the content file the build writes", async () => {
    const defaultOut = (await import("../src/cli/build.js")).BUNDLE_FILE;
    const named = [...readFileSync("wrangler.toml", "utf8").matchAll(/generated\/[\w.]+/g)].map(
      (match) => match[0],
    );
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([defaultOut]));
  });

  it("keeps no parse cache in the data folder", async () => {
    const { stdout } = await run("git", ["ls-files", "data"]);
    expect(stdout.split("\n").filter((file) => file.includes(".cache"))).toEqual([]);
  });
});
