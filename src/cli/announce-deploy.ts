/**
 * Run by `npm run deploy` after `wrangler deploy`: tells the WebSub hubs
 * which feeds the deployed bundle changed, compared with the bundle deployed
 * before it (kept as generated/deployed.txt), then keeps this one for next
 * time. The first deploy announces every feed. A D1 Worker's bundle holds no
 * articles: `npm run publish:d1` announces its changes instead.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { loadConfig } from "../config.js";
import { buildIndex } from "../index/index.js";
import { announceChanges } from "../publish/announce.js";
import { type ContentBundle, indexFromBundle } from "../sources/bundle.js";
import { planSync, stateOf } from "../publish/d1-sync.js";
import { readWranglerConfig } from "../runtime/wrangler-config.js";
import { type Command, text } from "./command.js";

export const announceDeploy: Command = {
  name: "announce-deploy",
  summary:
    "Tells the WebSub hubs which feeds a deployed Worker bundle changed, against the bundle deployed before it (npm run deploy runs it after wrangler deploy).",
  args: "",
  maxArgs: 0,
  options: {
    bundle: {
      type: "string",
      value: "FILE",
      default: "generated/content.txt",
      description: "the bundle just deployed (default generated/content.txt)",
    },
    previous: {
      type: "string",
      value: "FILE",
      default: "generated/deployed.txt",
      description: "the bundle deployed before (default generated/deployed.txt)",
    },
    config: {
      type: "string",
      value: "FILE",
      default: "wrangler.toml",
      description: "wrangler configuration (default ./wrangler.toml)",
    },
  },
  async run({ values: given, env }) {
    const values = {
      bundle: text(given, "bundle"),
      previous: text(given, "previous"),
      config: text(given, "config"),
    };
    const bundle = JSON.parse(readFileSync(values.bundle, "utf8")) as ContentBundle;
    if (bundle.version === "d1") return 0;
    const previous = existsSync(values.previous)
      ? indexFromBundle(JSON.parse(readFileSync(values.previous, "utf8")) as ContentBundle)
      : buildIndex([]);
    const plan = planSync(indexFromBundle(bundle), stateOf(previous));
    console.log(
      `feedloom deploy: against the last deploy: ${plan.added} added, ${plan.changed} changed, ${plan.removed} removed; ${plan.changedScopes.length} feeds changed`,
    );
    // The deployed Worker's [vars] (PUBLIC_URL, WEBSUB_HUBS), unless the environment overrides them.
    const vars = readWranglerConfig(values.config).vars ?? {};
    await announceChanges(loadConfig({ ...vars, ...env }), plan.changedScopes, "feedloom deploy");
    copyFileSync(values.bundle, values.previous);
    return 0;
  },
};
