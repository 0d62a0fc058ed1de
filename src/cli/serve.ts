/**
 * `feedloom serve [DIR]`: the feeds of a data folder over HTTP, live: a file
 * saved there is in the feeds within a second. `npm start` runs this.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError, LOOPBACK_HOSTS, loadConfig } from "../config.js";
import { startLiveSite } from "../entry/live-site.js";
import { BASE_URL, type Command, type Env, LISTEN, dataDir } from "./command.js";

export const serve: Command = {
  name: "serve",
  summary:
    "Serves the feeds and pages of DIR (default: data) over HTTP, and watches it: a saved file is live within a second.",
  args: "[DIR]",
  maxArgs: 1,
  options: { ...LISTEN, ...BASE_URL },
  details:
    "Every other setting is an environment variable (docs/configuration.md). Stop it with Ctrl-C.",
  run: ({ args, env }) => serveFolder(dataDir(args, env), env),
};

function portOf(env: Env): number {
  const port = Number(env.PORT ?? 8787);
  if (!/^\d+$/.test(env.PORT ?? "8787") || port > 65535)
    throw new ConfigError(
      `PORT must be a whole number from 0 to 65535, got ${JSON.stringify(env.PORT)}`,
    );
  return port;
}

/** Why the server could not listen, as one thing the user can do. */
function listenError(error: NodeJS.ErrnoException, port: number, hostname: string): Error {
  if (error.code === "EADDRINUSE")
    return new ConfigError(
      `port ${port} on ${hostname} is in use (another feedloom, or npm run dev?): stop it, or set PORT to a free port`,
    );
  if (error.code === "EACCES")
    return new ConfigError(
      `port ${port} on ${hostname} needs privileges this user lacks: set PORT to 1024 or above`,
    );
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")
    return new ConfigError(
      `HOST ${JSON.stringify(hostname)} is not an address of this machine: set HOST to one (e.g. 127.0.0.1 or 0.0.0.0)`,
    );
  return error;
}

async function serveFolder(dir: string, env: Env): Promise<number> {
  const config = loadConfig(env);
  const port = portOf(env);
  const hostname = env.HOST ?? "127.0.0.1";
  const site = await startLiveSite({ dir, config, env });
  const server = createServer(site.listener);
  server.listen(port, hostname, () => {
    const info = server.address() as AddressInfo;
    const shown =
      (LOOPBACK_HOSTS as readonly string[]).includes(hostname) || hostname === "0.0.0.0"
        ? "127.0.0.1"
        : hostname;
    const home = `http://${shown}:${info.port}${config.basePath}/`;
    console.log(
      `feedloom: serving ${home} (pages) and ${home}feed.rss (also ${home}feed.atom, ${home}feed.json, ${home}feeds.opml)`,
    );
    for (const line of site.describe(home)) console.log(line);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", (error: NodeJS.ErrnoException) => {
      site.close();
      reject(listenError(error, port, hostname));
    });
  });
  return new Promise<number>(() => {
    const stop = (signal: string) => {
      console.log(`feedloom: ${signal}: stopped serving ${dir}`);
      site.close();
      // Readers' keep-alive connections would hold the process open: it ends once the server has closed.
      server.close(() => process.exit(0));
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}
