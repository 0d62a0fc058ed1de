/**
 * Static export speed (printed by npm run bench, or alone with `npm run bench -- export`):
 * a cold export (compiled JavaScript, no parse cache, an empty folder) of 1k,
 * 10k and 50k synthetic articles: every feed in three formats and every page.
 * When `hugo` is on the PATH (Debian's package), the same corpus is built by
 * Hugo in the same run, in alternating runs: RSS term feeds for two taxonomies
 * (topics, providers) plus the home feed, 50 items each, no HTML. Wall time
 * and peak memory of each, from /usr/bin/time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadIndexFromDir } from "../src/sources/load.js";
import { writeCorpus } from "./corpus.js";
import { median } from "./stats.js";


function timed(command: string, args: string[], env: Record<string, string> = {}): Run {
  const run = spawnSync("/usr/bin/time", ["-f", "%e %M", command, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr.slice(-500)}`);
  const [seconds, kilobytes] = run.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, peakMb: kilobytes / 1024 };
}

const countFiles = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;

function hugoAvailable(): boolean {
  return spawnSync("hugo", ["version"], { encoding: "utf8" }).status === 0;
}

/**
 * The same files as a Hugo site: each published article's own file, YAML front
 * matter and all, with the one line Hugo's provider taxonomy needs added
 * (`providers`; `topics` is already a list). Drafts are left out, as feedloom leaves them.
 */
async function hugoSite(corpus: string, site: string): Promise<void> {
  const { index } = await loadIndexFromDir(corpus, { includeUnpublished: false, now: Date.now() });
  mkdirSync(join(site, "content", "posts"), { recursive: true });
  writeFileSync(
    join(site, "config.toml"),
    [
      'baseURL = "https://feeds.example.com/"',
      // Pages stay enabled (terms are built from them) but render nothing; the term lists are off.
      'disableKinds = ["section", "taxonomy", "404", "robotsTXT", "sitemap"]',
      'ignoreErrors = ["error-disable-taxonomy"]',
      "[taxonomies]",
      'topic = "topics"',
      'provider = "providers"',
      "[outputs]",
      'home = ["RSS"]',
      "page = []",
      'term = ["RSS"]',
      "[services.rss]",
      "limit = 50",
      "",
    ].join("\n"),
  );
  for (const article of index.articles) {
    const text = readFileSync(join(corpus, article.file), "utf8").replace(/^---\n/, `---\nproviders:\n  - ${JSON.stringify(article.provider.name)}\ndate: ${article.published}\n`);
    writeFileSync(join(site, "content", "posts", article.file), text);
  }
}

interface Run {
  seconds: number;
  peakMb: number;
}

const shown = (runs: Run[], files: number) => `${median(runs.map((run) => run.seconds)).toFixed(2).padStart(6)} s, ${Math.max(...runs.map((run) => run.peakMb)).toFixed(0).padStart(4)} MB, ${String(files).padStart(5)}`;

/** Every file under `dir` with its bytes (the manifest left out): what an export wrote. */
function readTree(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== ".feedloom-export.json")
    .map((entry) => join(entry.parentPath, entry.name))
    .map((path) => ({ file: path.slice(dir.length + 1), bytes: readFileSync(path) }));
}

/**
 * The floor under any exporter of these files: writing them (bytes already in
 * memory) into an empty folder, one synchronous write each, nothing else.
 */
function writeAlone(tree: { file: string; bytes: Buffer }[], out: string): number {
  const started = performance.now();
  const folders = new Set<string>();
  for (const { file, bytes } of tree) {
    const folder = dirname(join(out, file));
    if (!folders.has(folder)) mkdirSync(folder, { recursive: true }), folders.add(folder);
    writeFileSync(join(out, file), bytes);
  }
  return (performance.now() - started) / 1000;
}

/**
 * Where the output goes: the temporary folder (a disk here), and, when there
 * is one, /dev/shm (memory), which shows the work without the disk's share.
 * This machine's disk is slow to create files and slows down under repeated
 * writes of the export's 170 MB, so the two can differ by seconds.
 */
function places(): { name: string; root: string }[] {
  const list = [{ name: "disk", root: tmpdir() }];
  if (existsSync("/dev/shm")) list.push({ name: "memory", root: "/dev/shm" });
  return list;
}

export async function exportFigures(sizes = [1_000, 10_000, 50_000]): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build:server"], { stdio: "inherit" });
  const withHugo = hugoAvailable();
  console.log("\nstatic export, cold (node dist/export.mjs, no parse cache, empty folder): every feed in 3 formats and every page");
  if (withHugo) console.log("against Hugo (Debian's) on the same articles: RSS for the home and each topic and provider term, 50 items, no HTML; alternating runs");
  else console.log("(hugo not on the PATH: apt-get install hugo for the comparison)");
  console.log("articles, output | feedloom: wall, peak, files | Hugo: wall, peak, files | feedloom / Hugo | writing feedloom's files alone");
  for (const count of sizes) {
    const corpus = writeCorpus(count);
    const site = mkdtempSync(join(tmpdir(), "feedloom-export-hugo-site-"));
    try {
      if (withHugo) await hugoSite(corpus, site);
      for (const place of places()) {
        const work = mkdtempSync(join(place.root, "feedloom-export-bench-"));
        try {
          const rounds = count >= 50_000 ? 1 : 3;
          const ours: Run[] = [];
          const hugo: Run[] = [];
          let ourFiles = 0;
          let hugoFiles = 0;
          let alone = 0;
          for (let round = 0; round < rounds; round++) {
            const out = join(work, `out-${round}`);
            ours.push(timed(process.execPath, ["dist/export.mjs", "--data", corpus, "--out", out], { PUBLIC_URL: "https://feeds.example.com", FEEDLOOM_CACHE_DIR: "off" }));
            if (round === 0) {
              const tree = readTree(out);
              ourFiles = tree.length;
              alone = writeAlone(tree, join(work, "alone"));
              rmSync(join(work, "alone"), { recursive: true, force: true });
            }
            rmSync(out, { recursive: true, force: true });
            if (withHugo) {
              const hugoOut = join(work, `hugo-out-${round}`);
              hugo.push(timed("hugo", ["--quiet", "--source", site, "--destination", hugoOut]));
              hugoFiles = countFiles(hugoOut);
              rmSync(hugoOut, { recursive: true, force: true });
            }
          }
          const ratio = withHugo ? `${(median(ours.map((run) => run.seconds)) / median(hugo.map((run) => run.seconds))).toFixed(2)}x` : "";
          console.log(
            `${String(count).padStart(8)}, ${place.name.padEnd(6)} | ${shown(ours, ourFiles)} | ${withHugo ? shown(hugo, hugoFiles) : "".padStart(23)} | ${ratio.padStart(15)} | ${alone.toFixed(2).padStart(6)} s  (median of ${rounds})`,
          );
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      }
    } finally {
      rmSync(corpus, { recursive: true, force: true });
      rmSync(site, { recursive: true, force: true });
    }
  }
  console.log("target: the export at 10k in at most a fifth of Hugo's time (0.20x), and less peak memory than Hugo");
}
