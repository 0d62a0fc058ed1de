/**
 * Federation on the Node server: its key pair and state under STATE_DIR, and
 * outgoing requests through the public-only fetch. The key is made once
 * (RSA 2048, Web Crypto) and kept in `federation-key.json`, readable by the
 * server's user only; it never appears in a response or a log. The state is
 * `federation.json`, written through a temporary file and a rename at most
 * every WRITE_DELAY_MS and at close, so a crash loses at most that much:
 * a delivery made again then carries the same activity id, which the
 * receiving server recognises.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, ConfigError, type FederationConfig } from "../config.js";
import type { DeliveryPolicy } from "./delivery.js";
import { Federation, checkFederation, memoryDeliverer } from "./federation.js";
import { type KeyPair, type StoredKeys, keyPairOf, makeKeys } from "./keys.js";
import { publicOnlyFetch } from "./node-fetch.js";
import { EMPTY_STATE, FederationState, type StateData } from "./state.js";

const WRITE_DELAY_MS = 1_000;

export interface NodeFederation {
  federation: Federation<FederationState>;
  /** Writes what is not yet on disk, and stops delivering. */
  close(): void;
}

export async function nodeFederation(options: {
  config: Config;
  settings: FederationConfig;
  stateDir: string;
  now?: () => number;
  policy?: DeliveryPolicy;
  log?: (line: string) => void;
}): Promise<NodeFederation | undefined> {
  const { config, settings, stateDir } = options;
  if (!settings.enabled || !config.publicUrl) return undefined;
  checkFederation(config, settings);
  mkdirSync(stateDir, { recursive: true });
  const keys = await keyPair(join(stateDir, "federation-key.json"));
  const file = join(stateDir, "federation.json");
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    timer = undefined;
    writeAtomically(file, JSON.stringify(state.toJSON()));
  };
  const state: FederationState = new FederationState(readState(file), () => {
    timer ??= setTimeout(write, WRITE_DELAY_MS).unref();
  });
  const federation = new Federation({
    config: { ...config, publicUrl: config.publicUrl },
    settings,
    state,
    deliverer: memoryDeliverer(state),
    keys: () => Promise.resolve(keys),
    fetcher: publicOnlyFetch({ allowInsecure: settings.allowInsecure }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    federation,
    close() {
      federation.close();
      if (timer) clearTimeout(timer);
      write();
    },
  };
}

function readState(file: string): StateData {
  try {
    return { ...EMPTY_STATE, ...(JSON.parse(readFileSync(file, "utf8")) as StateData) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return EMPTY_STATE;
    throw new ConfigError(
      `${file} cannot be read (${(error as Error).message}): restore it from a backup, or move it away to start with no followers`,
    );
  }
}

async function keyPair(file: string): Promise<KeyPair> {
  let stored: StoredKeys | undefined;
  try {
    stored = JSON.parse(readFileSync(file, "utf8")) as StoredKeys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (!stored) {
    stored = await makeKeys();
    writeAtomically(file, JSON.stringify(stored), 0o600);
  }
  return keyPairOf(stored);
}

function writeAtomically(file: string, text: string, mode = 0o644): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, file);
}
