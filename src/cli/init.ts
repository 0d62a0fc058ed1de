/**
 * `feedloom init worker DIR [--at PATH]`: writes a small Cloudflare Worker
 * project that mounts feedloom, from the package's templates/worker/: its
 * wrangler.toml (which builds the content bundle before `wrangler dev` and
 * `deploy`), an entry file, the sample articles, and a README with the
 * commands. Nothing is written unless all of it is: the project is put
 * together in a folder beside DIR and renamed into place.
 */
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Command, UsageError, text } from "./command.js";

const KINDS = ["worker"];

export const init: Command = {
  name: "init",
  summary:
    "Writes a new project in DIR that serves feedloom: init worker DIR, a Cloudflare Worker.",
  args: "worker DIR",
  maxArgs: 2,
  options: {
    at: {
      type: "string",
      value: "PATH",
      default: "/",
      description: "the path the Worker mounts feedloom at (default /)",
    },
  },
  details:
    "Then: cd DIR && npm install && npx wrangler dev. DIR must not exist, or be empty; nothing is written on a failure.",
  async run({ values, args }) {
    const [kind, dir] = args;
    if (!KINDS.includes(kind ?? "") || dir === undefined)
      throw new UsageError(`say what to write and where: feedloom init worker DIR`);
    const mount = text(values, "at");
    if (!/^\/(?:[\w.~-]+\/?)*$/.test(mount) || mount.includes("//"))
      throw new UsageError(
        `--at: ${JSON.stringify(mount)} is no path; give one such as / or /news`,
      );
    const target = resolve(dir);
    writeProject(target, placeholders(target, mount));
    console.log(
      [
        `feedloom init: wrote a Worker project in ${dir}, feedloom mounted at ${mount}.`,
        "Next:",
        `  cd ${dir}`,
        "  npm install",
        "  npx wrangler dev      serves it locally from workerd",
        "  npx wrangler deploy   publishes it (after npx wrangler login)",
        "Its README.md has the rest, moving to D1 included.",
      ].join("\n"),
    );
    return 0;
  },
};

/** The package's own folder: where templates/ and the sample data/ are, from the source or the built CLI. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!statSync(join(dir, "templates"), { throwIfNoEntry: false })?.isDirectory()) {
    if (dirname(dir) === dir) throw new Error("feedloom's templates/ folder is missing");
    dir = dirname(dir);
  }
  return dir;
}

function placeholders(target: string, mount: string): Record<string, string> {
  const root = packageRoot();
  const own = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const name =
    basename(target)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "feeds";
  const mountPath = mount.replace(/\/$/, "");
  return {
    name,
    mount: mountPath || "/",
    mountPath,
    version: own.version,
    hono: own.peerDependencies.hono,
    // The exact version feedloom is tested with: newer ones may need a newer Node.
    wrangler: own.devDependencies.wrangler.replace(/^\^/, ""),
  };
}

function writeProject(target: string, values: Record<string, string>): void {
  const existing = statSync(target, { throwIfNoEntry: false });
  if (existing && (!existing.isDirectory() || readdirSync(target).length > 0))
    throw new UsageError(`${target} already exists and is not an empty folder: name a new one`);
  const root = packageRoot();
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}-`));
  try {
    cpSync(join(root, "templates", "worker"), staging, { recursive: true });
    for (const file of readdirSync(staging, { recursive: true, encoding: "utf8" })) {
      const path = join(staging, file);
      if (!statSync(path).isFile()) continue;
      const filled = readFileSync(path, "utf8").replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
        if (!(key in values)) throw new Error(`templates/worker/${file}: no value for {{${key}}}`);
        return values[key];
      });
      writeFileSync(path, filled);
    }
    // npm leaves a .gitignore out of a package: the template's is named gitignore.
    renameSync(join(staging, "gitignore"), join(staging, ".gitignore"));
    cpSync(join(root, "data"), join(staging, "articles"), { recursive: true });
    if (existing) rmdirSync(target);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
