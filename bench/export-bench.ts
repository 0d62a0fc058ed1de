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
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadIndexFromDir } from "../src/runtime/load.js";
import { writeCorpus } from "./corpus.js";
import { median } from "./stats.js";


function timed(command: string, args: string[], env: Record<string, string> = {}): { seconds: number; peakMb: number } {
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
  const { index } = await loadIndexFromDir(corpus, { includeUnpublished: false });
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

export async function exportFigures(sizes = [1_000, 10_000, 50_000]): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build:server"], { stdio: "inherit" });
  const withHugo = hugoAvailable();
  console.log("\nstatic export, cold (node dist/export.mjs, no parse cache, empty folder): every feed in 3 formats and every page");
  if (withHugo) console.log("against Hugo (Debian's) on the same articles: RSS for the home and each topic and provider term, 50 items, no HTML; alternating runs");
  else console.log("(hugo not on the PATH: apt-get install hugo for the comparison)");
  console.log("articles |      feedloom: wall, peak, files |          Hugo: wall, peak, files | feedloom / Hugo");
  for (const count of sizes) {
    const corpus = writeCorpus(count);
    const work = mkdtempSync(join(tmpdir(), "feedloom-export-bench-"));
    try {
      const site = join(work, "hugo");
      if (withHugo) await hugoSite(corpus, site);
      const rounds = count >= 50_000 ? 1 : 3;
      const ours: { seconds: number; peakMb: number }[] = [];
      const hugo: { seconds: number; peakMb: number }[] = [];
      let ourFiles = 0;
      let hugoFiles = 0;
      for (let round = 0; round < rounds; round++) {
        const out = join(work, `out-${round}`);
        ours.push(timed(process.execPath, ["dist/export.mjs", "--data", corpus, "--out", out], { PUBLIC_URL: "https://feeds.example.com", FEEDLOOM_CACHE_DIR: "off" }));
        ourFiles = countFiles(out) - 1; // less the manifest
        rmSync(out, { recursive: true, force: true });
        if (withHugo) {
          const hugoOut = join(work, `hugo-out-${round}`);
          hugo.push(timed("hugo", ["--quiet", "--source", site, "--destination", hugoOut]));
          hugoFiles = countFiles(hugoOut);
          rmSync(hugoOut, { recursive: true, force: true });
        }
      }
      const ourSeconds = median(ours.map((run) => run.seconds));
      const ourPeak = Math.max(...ours.map((run) => run.peakMb));
      const hugoPart = withHugo
        ? `${median(hugo.map((run) => run.seconds)).toFixed(2).padStart(7)} s, ${Math.max(...hugo.map((run) => run.peakMb)).toFixed(0).padStart(4)} MB, ${String(hugoFiles).padStart(6)}`
        : "".padStart(32);
      const ratio = withHugo ? `${(ourSeconds / median(hugo.map((run) => run.seconds))).toFixed(2)}x` : "";
      console.log(`${String(count).padStart(8)} | ${ourSeconds.toFixed(2).padStart(13)} s, ${ourPeak.toFixed(0).padStart(4)} MB, ${String(ourFiles).padStart(6)} | ${hugoPart} | ${ratio.padStart(8)}  (median of ${rounds})`);
    } finally {
      rmSync(corpus, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  }
  console.log("target: the export at 10k in at most a fifth of Hugo's time (0.20x), and less peak memory than Hugo");
}
