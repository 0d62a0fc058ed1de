/** The Worker's wrangler.toml as data, for the CLIs that follow it (build, deploy's announcement); {} when there is none. */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";

export interface WranglerConfig {
  vars?: Record<string, string>;
  d1_databases?: { binding?: string; database_name?: string }[];
}

export function readWranglerConfig(path: string): WranglerConfig {
  return existsSync(path) ? (parse(readFileSync(path, "utf8")) as WranglerConfig) : {};
}

/** Whether the configuration binds a D1 database by this binding or name (the Worker reads the binding DB). */
export function bindsD1(config: WranglerConfig, database = "DB"): boolean {
  return (config.d1_databases ?? []).some(
    (entry) => entry.binding === database || entry.database_name === database,
  );
}
