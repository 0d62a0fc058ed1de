/**
 * Static export speed (printed by npm run bench, or alone with `npm run bench -- export [count]`)
 * at 10k and 50k synthetic articles: a cold export (compiled JavaScript, no
 * parse cache, no record, an empty folder), then a warm one into the same
 * folder after one new article: every feed in three formats, every archive
 * and every page. When `hugo` is on the PATH (Debian's package), the same
 * corpus is built by two Hugo sites in the same run, in alternating runs:
 *   RSS only: RSS term feeds for two taxonomies (topics, providers) plus the
 *     home feed, 50 items each, no HTML: far less than the export writes;
 *   full (bench/hugo-site-full, the fair peer): RSS, Atom and JSON Feed for
 *     the home and every term, HTML pages of 20 articles with Hugo's
 *     paginator, the directories in HTML and JSON, OPML and a sitemap; still
 *     no archives, digests or embed pages (its hugo.toml says what it leaves out).
 * Wall time and peak memory of each, from /usr/bin/time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadIndexFromDir } from "../src/sources/load.js";
import { writeCorpus } from "./corpus.js";
import { median, stealMeter, stealRange } from "./stats.js";

export function timed(command: string, args: string[], env: Record<string, string> = {}): Run {
  // Each run starts with nothing of the last one's left to write back, which the next would pay for.
  execFileSync("sync");
  const steal = stealMeter();
  const run = spawnSync("/usr/bin/time", ["-f", "%e %M", command, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr.slice(-500)}`);
  const [seconds, kilobytes] = run.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds, peakMb: kilobytes / 1024, stdout: run.stdout, steal: steal() };
}

const countFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    .length;

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
    const text = readFileSync(join(corpus, article.file), "utf8").replace(
      /^---\n/,
      `---\nproviders:\n  - ${JSON.stringify(article.provider.name)}\ndate: ${article.published}\n`,
    );
    writeFileSync(join(site, "content", "posts", article.file), text);
  }
}

/** The fair peer's site (its hugo.toml says what it renders and what it leaves out). */
const FULL_SITE = fileURLToPath(new URL("./hugo-site-full/", import.meta.url));

/**
 * The corpus as the full peer's content: each file as it is, with the two keys Hugo needs after the
 * opening `---` (`date`, which feeds sort and limit by, and a `providers` list for the taxonomy).
 * `published: false` is Hugo's draft already, so drafts stay out of its lists as they stay out of ours.
 */
function fullPeerContent(corpus: string, content: string): void {
  mkdirSync(content, { recursive: true });
  for (const name of readdirSync(corpus).filter((file) => file.endsWith(".md"))) {
    const text = readFileSync(join(corpus, name), "utf8");
    const date = /^publishedDateTime: (\S+)$/m.exec(text)?.[1];
    const domain = /^provider:\n(?: {2}.*\n)*? {2}domain: (.+)$/m.exec(text)?.[1];
    if (!text.startsWith("---\n") || !date || !domain)
      throw new Error(`${name}: no front matter with publishedDateTime and provider.domain`);
    const keys = `date: ${date}\nproviders: [${JSON.stringify(domain.trim())}]\n`;
    writeFileSync(join(content, name), `---\n${keys}${text.slice(4)}`);
  }
}

export interface Run {
  seconds: number;
  peakMb: number;
  stdout: string;
  /** The share of the machine's CPU time its host gave to others during the run (see stealMeter). */
  steal?: number;
}

const shown = (runs: Run[], files: number) =>
  `${median(runs.map((run) => run.seconds))
    .toFixed(2)
    .padStart(6)} s, ${Math.max(...runs.map((run) => run.peakMb))
    .toFixed(0)
    .padStart(4)} MB, ${String(files).padStart(5)}`;

/** "median of 3", with the host's steal during those runs where /proc/stat tells it. */
function runsNote(rounds: number, runs: Run[]): string {
  const steal = stealRange(runs.map((run) => run.steal));
  return steal ? `median of ${rounds}; ${steal}` : `median of ${rounds}`;
}

/**
 * Where the output goes: the temporary folder (a disk here), and, when there
 * is one, /dev/shm (memory), which shows the work without the disk's share.
 * This machine's disk is slow to create files and slows down under repeated
 * writes of the export's 170 MB, so the two can differ by seconds. Outputs
 * are kept until the place's last run: on this disk (ext4 mounted with
 * `discard`), the creates that follow the deletion of a 10k-file output pay
 * for it, and the run after it was always our cold one (1.2 to 1.7 s more
 * system time, 0.2 to 0.8 s more wall time, measured against the same run 20 s
 * after the deletion).
 */
function places(): { name: string; root: string }[] {
  const list = [{ name: "disk", root: tmpdir() }];
  if (existsSync("/dev/shm")) list.push({ name: "memory", root: "/dev/shm" });
  return list;
}

/** One article newer than every other, written into the corpus for a warm run (and removed after it). */
export function addNewestArticle(corpus: string, round: number): string {
  const file = join(corpus, `2099-01-0${round + 1}-warm-${round}.md`);
  const template = readFileSync(
    join(
      corpus,
      readdirSync(corpus).find((name) => name.endsWith(".md"))!,
    ),
    "utf8",
  );
  writeFileSync(
    file,
    template
      .replace(/^title: .*$/m, `title: "Warm run ${round}"`)
      .replace(
        /^publishedDateTime: .*$/m,
        `publishedDateTime: ${new Date(Date.now() - (round + 1) * 60_000).toISOString().replace(/\.\d+Z$/, "Z")}`,
      )
      .replace(/^(originalUrl|webUrl): .*$/gm, `$1: "https://warm.example.com/${round}"`)
      .replace(/^published: .*$/m, "published: true"),
  );
  return file;
}

/** The export's summary line: its files, and those rendered and written. */
export function exportSummary(stdout: string): {
  files: number;
  rendered: number;
  written: number;
} {
  const match = /: (\d+) files: (\d+) rendered .*?, (\d+) written/.exec(stdout);
  if (!match) throw new Error(`no summary in the export's output: ${stdout.slice(-300)}`);
  return { files: Number(match[1]), rendered: Number(match[2]), written: Number(match[3]) };
}

export async function exportFigures(sizes = [10_000, 50_000]): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build:server"], { stdio: "inherit" });
  const withHugo = hugoAvailable();
  console.log(
    "\nstatic export (node dist/cli.mjs export): every feed in 3 formats, every archive and every page",
  );
  console.log(
    "  cold: no parse cache, no record, an empty folder; warm: the same folder and cache after one new article",
  );
  if (withHugo)
    console.log(
      "against Hugo (Debian's) on the same articles, alternating runs: RSS only (the home and each topic and provider term, 50 items, no HTML),\n" +
        "and full, the fair peer (bench/hugo-site-full: RSS, Atom and JSON Feed for each, paginated HTML pages, directories, OPML, sitemap)",
    );
  else console.log("(hugo not on the PATH: apt-get install hugo for the comparison)");
  console.log(
    "articles, output | cold: wall, peak, files | warm: wall, peak, rendered/written | Hugo RSS: wall, peak, files | Hugo full: wall, peak, files | cold / full | warm / full | cold / RSS",
  );
  for (const count of sizes) {
    // Four years of articles up to today, as on a live site: the new article of a warm run is the next
    // one, not the first after years of silence (which would reopen every digest).
    const corpus = writeCorpus(count, Date.now() - 4 * 365 * 86_400_000);
    const site = mkdtempSync(join(tmpdir(), "feedloom-export-hugo-site-"));
    try {
      const fullContent = join(site, "full-content");
      if (withHugo) {
        await hugoSite(corpus, site);
        fullPeerContent(corpus, fullContent);
      }
      for (const place of places()) {
        const work = mkdtempSync(join(place.root, "feedloom-export-bench-"));
        try {
          const rounds = count >= 50_000 ? 1 : 3;
          const cold: Run[] = [];
          const warm: Run[] = [];
          const hugo: Run[] = [];
          const full: Run[] = [];
          let files = 0;
          let hugoFiles = 0;
          let fullFiles = 0;
          let warmFiles = { rendered: 0, written: 0 };
          for (let round = 0; round < rounds; round++) {
            const out = join(work, `out-${round}`);
            const env = {
              PUBLIC_URL: "https://feeds.example.com",
              FEEDLOOM_CACHE_DIR: join(work, `cache-${round}`),
            };
            const args = ["dist/cli.mjs", "export", "--data", corpus, "--out", out];
            cold.push(timed(process.execPath, args, env));
            files = countFiles(out);
            if (withHugo) {
              const hugoOut = join(work, `hugo-out-${round}`);
              hugo.push(timed("hugo", ["--quiet", "--source", site, "--destination", hugoOut]));
              hugoFiles = countFiles(hugoOut);
              const fullOut = join(work, `hugo-full-${round}`);
              full.push(
                timed("hugo", [
                  "--quiet",
                  "--noBuildLock",
                  "--source",
                  FULL_SITE,
                  "--contentDir",
                  fullContent,
                  "--destination",
                  fullOut,
                ]),
              );
              fullFiles = countFiles(fullOut);
            }
            const added = addNewestArticle(corpus, round);
            try {
              const run = timed(process.execPath, args, env);
              warm.push(run);
              warmFiles = exportSummary(run.stdout);
            } finally {
              rmSync(added);
            }
          }
          const ratio = (runs: Run[], peer: Run[]) =>
            withHugo
              ? `${(median(runs.map((run) => run.seconds)) / median(peer.map((run) => run.seconds))).toFixed(2)}x`
              : "";
          console.log(
            [
              `${String(count).padStart(8)}, ${place.name.padEnd(6)}`,
              shown(cold, files),
              `${shown(warm, 0).slice(0, -7)} ${warmFiles.rendered}/${warmFiles.written}`,
              withHugo ? shown(hugo, hugoFiles) : "".padStart(23),
              withHugo ? shown(full, fullFiles) : "".padStart(23),
              ratio(cold, full).padStart(11),
              ratio(warm, full).padStart(11),
              `${ratio(cold, hugo).padStart(10)}  (${runsNote(rounds, [...cold, ...warm, ...hugo, ...full])})`,
            ].join(" | "),
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
  console.log(
    "targets at 10k and 50k, against the full peer: cold at most Hugo's time (goal half), with less peak memory; warm at most a twentieth, writing at most 50 files",
  );
}
