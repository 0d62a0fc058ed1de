/** The Worker's wrangler.toml as data, for the CLIs that follow it (build, deploy's announcement); {} when there is none. */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";

export interface WranglerConfig {
  vars?: Record<string, string>;
  d1_databases?: { binding?: string }[];
}

export function readWranglerConfig(path: string): WranglerConfig {
  return existsSync(path) ? (parse(readFileSync(path, "utf8")) as WranglerConfig) : {};
}
