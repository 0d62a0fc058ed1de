/**
 * feedloom as a user gets it: `npm pack`, installed into a new project in a
 * temporary folder outside the repository, with the articles in a folder of
 * their own beside it. The CLI serves and exports that folder, and a Node app
 * of the user's mounts feedloom() at /news/ beside a route of its own.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticArticles } from "../src/content/synthetic.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT, freePort } from "./helpers.js";

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "feedloom-package-"));
const project = join(root, "project");
const articles = join(root, "articles");
const bin = join(project, "node_modules", ".bin", "feedloom");
const children: ChildProcess[] = [];

/** The CLI as a user runs it, with its exit code, output included on failure. */
function feedloom(...args: string[]) {
  return feedloomWith({}, ...args);
}

function feedloomWith(env: Record<string, string>, ...args: string[]) {
  return run(bin, args, { cwd: project, env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

/** Starts a long-running process; resolves once `ready` appears in its output. */
function start(
  command: string,
  args: string[],
  ready: RegExp,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ChildProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? project,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: wrangler's workerd goes with it (afterAll).
    detached: true,
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) resolve(child);
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code}:\n${output}`)));
  });
}

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

let tarball = "";

beforeAll(async () => {
  const packed = await run("npm", ["pack", "--silent", "--pack-destination", root]);
  tarball = join(root, packed.stdout.trim().split("\n").at(-1)!);
  cpSync(FIXTURES, articles, { recursive: true });
  const own = JSON.parse(readFileSync("package.json", "utf8"));
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "a-site",
      private: true,
      type: "module",
      dependencies: {
        feedloom: `file:${tarball}`,
        hono: own.devDependencies.hono,
        "@hono/node-server": own.dependencies["@hono/node-server"],
      },
    }),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project });
}, 4 * PROCESS_TEST_TIMEOUT);

afterAll(() => {
  for (const child of children) {
    try {
      process.kill(-child.pid!);
    } catch {
      // Already gone.
    }
  }
  // Two projects' node_modules (one with wrangler and workerd, about 300 MB): with both cores busy,
  // removing them outlasted even a minute's hook, so a detached rm does it after the suite.
  spawn("rm", ["-rf", root], { detached: true, stdio: "ignore" }).unref();
});

describe("the packed package in a new project", { timeout: 2 * PROCESS_TEST_TIMEOUT }, () => {
  it("installs with no install script, and only what it runs on", () => {
    const installed = JSON.parse(
      readFileSync(join(project, "node_modules", "feedloom", "package.json"), "utf8"),
    );
    expect(installed.scripts?.install ?? installed.scripts?.postinstall).toBeUndefined();
    expect(installed.peerDependencies.hono).toBeDefined();
    expect(installed.peerDependenciesMeta.wrangler.optional).toBe(true);
    // wrangler is optional: a new project does not get it.
    expect(readdirSync(join(project, "node_modules"))).not.toContain("wrangler");
    const files = readdirSync(join(project, "node_modules", "feedloom"), { recursive: true });
    expect(files).toContain("dist/cli.mjs");
    // The export's second thread runs from its own entry.
    expect(files).toContain("dist/export-worker.mjs");
    expect(files).toContain(join("dist", "types", "src", "entry", "feedloom.d.ts"));
    expect(files.filter((file) => String(file).startsWith("src"))).toEqual([]);
  });

  it("answers --version, --help and a usage error with exit codes 0, 0 and 2", async () => {
    const version = await feedloom("--version");
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
    const help = await feedloom("export", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: feedloom export \[DIR\] \[options\]/);
    expect(help.stdout).toMatch(/--out OUT +the folder to write/);
    const unknown = await feedloom("serve", "--prot", "8080");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^feedloom serve: Unknown option '--prot'\nRun feedloom serve --help for its options\./,
    );
    const noCommand = await feedloom("frobnicate");
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(
      /^feedloom: no command "frobnicate"\n\nUsage: feedloom COMMAND/,
    );
  });

  it("validates a folder outside the project, and exits 1 when a file is invalid", async () => {
    expect((await feedloom("validate", articles)).code).toBe(0);
    const broken = join(root, "broken");
    cpSync(articles, broken, { recursive: true });
    writeFileSync(join(broken, "2024-01-01-no-title.md"), "---\nexcerpt: no title\n---\n");
    const invalid = await feedloom("validate", broken);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/2024-01-01-no-title\.md: title: /);
  });

  it("serves that folder live, and exports files byte-equal to what it serves", async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    await start(bin, ["serve", articles, "--port", String(port), "--base-url", origin], /serving/);
    const feed = async () => (await fetch(`${origin}/feed.rss`)).text();
    expect(await feed()).toMatch(/^<\?xml/);
    writeFileSync(
      join(articles, "2030-01-01-from-outside.md"),
      [
        "---",
        'title: "Saved beside the project"',
        'excerpt: "A new file in a folder outside the project."',
        'publishedDateTime: "2022-09-10T08:00:00Z"',
        'webUrl: "https://example.com/outside"',
        "provider:",
        '  name: "Example"',
        '  domain: "example.com"',
        "topics: [AI]",
        "---",
        "",
      ].join("\n"),
    );
    // Live within a second on an idle machine (npm run bench -- live measures it); a busy one gets more.
    await until(
      async () => (await feed()).includes("Saved beside the project") || undefined,
      10_000,
    );

    const out = join(root, "site");
    const exported = await feedloom("export", articles, "--out", out, "--base-url", origin);
    expect(exported.code, exported.stderr).toBe(0);
    const files = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(out, join(entry.parentPath, entry.name)))
      .filter((file) => !["_headers", "_redirects", "404.html"].includes(file));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const path = `/${file.replace(/(^|\/)index\.html$/, "$1")}`;
      const live = Buffer.from(await (await fetch(`${origin}${path}`)).arrayBuffer());
      expect(live.equals(readFileSync(join(out, file))), path).toBe(true);
    }
  });

  it("exports a thousand articles on two threads, the same bytes as on one", async () => {
    const many = join(root, "many");
    mkdirSync(many);
    for (const { name, text } of syntheticArticles(1_000, { seed: 7 }))
      writeFileSync(join(many, name), text);
    const exportOn = async (threads: string) => {
      const out = join(root, `many-${threads}`);
      const env = { FEEDLOOM_EXPORT_THREADS: threads, FEEDLOOM_CACHE_DIR: "off" };
      const result = await feedloomWith(
        env,
        "export",
        many,
        "--out",
        out,
        "--base-url",
        "https://feeds.example.com",
      );
      expect(result.code, result.stderr).toBe(0);
      return { out, stdout: result.stdout };
    };
    const [two, one] = [await exportOn("2"), await exportOn("1")];
    expect(two.stdout).toMatch(/ on 2 threads\n/);
    expect(one.stdout).toMatch(/ on 1 thread\n/);
    const files = readdirSync(one.out, { recursive: true, encoding: "utf8" }).sort();
    expect(readdirSync(two.out, { recursive: true, encoding: "utf8" }).sort()).toEqual(files);
    const differing = files.filter(
      (file) =>
        statSync(join(one.out, file)).isFile() &&
        !readFileSync(join(one.out, file)).equals(readFileSync(join(two.out, file))),
    );
    expect(differing).toEqual([]);
  });

  it("mounts at /news/ in the user's own Hono app: every link stays under /news/ and answers", async () => {
    writeFileSync(
      join(project, "app.mjs"),
      [
        'import { serve } from "@hono/node-server";',
        'import { Hono } from "hono";',
        'import { feedloom } from "feedloom";',
        "const app = new Hono();",
        'app.get("/", (c) => c.text("the site\'s own home"));',
        'app.route("/news", feedloom({ articles: process.argv[2], siteTitle: "News" }));',
        "serve({ fetch: app.fetch, port: Number(process.argv[3]) }, () => console.log('listening'));",
      ].join("\n"),
    );
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    await start(process.execPath, ["app.mjs", articles, String(port)], /listening/);
    expect(await (await fetch(`${origin}/`)).text()).toBe("the site's own home");

    const { seen, outside } = await crawl(origin, origin, "/news/");
    expect(outside).toEqual([]);
    expect(seen.size).toBeGreaterThan(40);
    expect([...seen].some((path) => path.startsWith("/news/embed/"))).toBe(true);
    expect([...seen].some((path) => path.endsWith(".opml"))).toBe(true);
    expect(seen).toContain("/news/sitemap.xml");
  });

  it("refuses a misspelt or mistyped option at construction, naming it", async () => {
    const attempt = (options: string) =>
      run(
        process.execPath,
        ["--input-type=module", "-e", `import { feedloom } from "feedloom"; feedloom(${options});`],
        { cwd: project },
      ).then(
        () => "",
        (error: { stderr: string }) => error.stderr,
      );
    expect(await attempt(`{ artcles: "${articles}" }`)).toMatch(
      /feedloom\(\): no option "artcles"; it accepts articles, watch, stateDir, siteTitle/,
    );
    expect(await attempt(`{ articles: "${articles}", feedLimit: "ten" }`)).toMatch(
      /feedloom\(\): option feedLimit must be a number, got "ten"/,
    );
    expect(await attempt(`{ articles: "${resolve(root, "nowhere")}" }`)).toMatch(
      /feedloom\(\): option articles: ".*nowhere" is not a folder/,
    );
    expect(await attempt(`{ articles: "${articles}", siteUrl: "not a url" }`)).toMatch(
      /feedloom\(\): option siteUrl/,
    );
  });

  it(
    "writes a Worker project with init, which wrangler builds and serves from workerd byte-equal to Node under the same mount path",
    { timeout: 4 * PROCESS_TEST_TIMEOUT },
    async () => {
      const worker = join(root, "worker");
      const written = await feedloom("init", "worker", worker, "--at", "/news");
      expect(written.code, written.stderr).toBe(0);
      expect(written.stdout).toMatch(/npm install\n {2}npx wrangler dev/);
      expect(readFileSync(join(worker, "src", "index.ts"), "utf8")).toContain(
        'app.route("/news", news);',
      );
      // The workerd the project pins supports the date the repository's own Worker uses.
      const dateOf = (file: string) =>
        /compatibility_date = "([\d-]+)"/.exec(readFileSync(file, "utf8"))![1];
      expect(dateOf(join(worker, "wrangler.toml"))).toBe(dateOf("wrangler.toml"));
      // A second init there is refused, and leaves neither a change nor a half-written folder behind.
      const again = await feedloom("init", "worker", worker);
      expect([again.code, again.stderr]).toEqual([
        2,
        expect.stringMatching(/already exists and is not an empty folder/),
      ]);
      expect(readdirSync(root).filter((name) => name.startsWith(".worker-"))).toEqual([]);

      // npm install, with this tarball for the feedloom the registry would give.
      await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
        cwd: worker,
      });
      const publicUrl = "https://feeds.example.com/news";
      const workerPort = await freePort();
      await start(
        "npx",
        [
          "wrangler",
          "dev",
          "--ip",
          "127.0.0.1",
          "--port",
          String(workerPort),
          "--var",
          `PUBLIC_URL:${publicUrl}`,
        ],
        /Ready on/,
        {
          cwd: worker,
          env: {
            ...process.env,
            CLOUDFLARE_CF_FETCH_ENABLED: "false",
            WRANGLER_SEND_METRICS: "false",
          },
        },
      );
      writeFileSync(
        join(project, "same.mjs"),
        [
          'import { serve } from "@hono/node-server";',
          'import { Hono } from "hono";',
          'import { feedloom } from "feedloom";',
          "const app = new Hono();",
          `app.route("/news", feedloom({ articles: process.argv[2], publicUrl: "${publicUrl}", watch: false }));`,
          "serve({ fetch: app.fetch, port: Number(process.argv[3]) }, () => console.log('listening'));",
        ].join("\n"),
      );
      const nodePort = await freePort();
      await start(
        process.execPath,
        ["same.mjs", join(worker, "articles"), String(nodePort)],
        /listening/,
      );

      const node = `http://127.0.0.1:${nodePort}`;
      const workerd = `http://127.0.0.1:${workerPort}`;
      const { seen, outside } = await crawl(node, "https://feeds.example.com", "/news/");
      expect(outside).toEqual([]);
      expect(seen.size).toBeGreaterThan(40);
      for (const path of seen) {
        const [fromNode, fromWorkerd] = await Promise.all(
          [node, workerd].map((origin) => fetch(`${origin}${path}`, { redirect: "manual" })),
        );
        expect(fromWorkerd.status, path).toBe(fromNode.status);
        expect(fromWorkerd.headers.get("content-type"), path).toBe(
          fromNode.headers.get("content-type"),
        );
        const [nodeBytes, workerdBytes] = await Promise.all(
          [fromNode, fromWorkerd].map(async (response) =>
            Buffer.from(await response.arrayBuffer()),
          ),
        );
        expect(workerdBytes.equals(nodeBytes), path).toBe(true);
      }
    },
  );
});

/**
 * Every path reachable from `start` by the links of `fetched`'s answers, each of which must be
 * below 400; the links whose origin is `linkOrigin` but lead out of `start` are `outside`.
 */
async function crawl(fetched: string, linkOrigin: string, start: string) {
  const seen = new Set<string>();
  const queue = [start];
  const outside: string[] = [];
  while (queue.length > 0 && seen.size < 2_000) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const response = await fetchAsAReader(`${fetched}${path}`);
    expect(response.status, path).toBeLessThan(400);
    const body = await response.text();
    for (const link of linksIn(body, linkOrigin, response.headers.get("location"))) {
      if (!link.startsWith(start)) outside.push(`${path} -> ${link}`);
      else if (!seen.has(link)) queue.push(link);
    }
  }
  return { seen, outside };
}

/**
 * A GET as a feed reader makes it: a 503 with Retry-After (the Node server sheds renders while
 * rendering has taken its share of the time, as on a busy machine) is asked again after the wait,
 * three times at most; every other answer is the answer.
 */
async function fetchAsAReader(url: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { redirect: "manual" });
    const wait = Number(response.headers.get("retry-after"));
    if (response.status !== 503 || !wait || attempt > 3) return response;
    await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

/** Every same-origin link of a page, feed, OPML file or sitemap, as a path with its query. */
function linksIn(html: string, origin: string, location: string | null): string[] {
  // Snippets to copy (the embed's iframe and script) are escaped text: their URLs count too.
  const body = html.replaceAll("&quot;", '"');
  const found = [
    ...(location ? [location] : []),
    ...[...body.matchAll(/(?:href|src|xmlUrl|htmlUrl|action)="([^"]+)"/g)].map((match) => match[1]),
    ...[...body.matchAll(/<(?:loc|link|id|docs)>([^<]+)</g)].map((match) => match[1]),
    ...[
      ...body.matchAll(
        /"(?:url|home_page_url|feed_url|next_url|rss|atom|json|page|opml)": ?"([^"]+)"/g,
      ),
    ].map((match) => match[1]),
  ];
  return found.flatMap((raw) => {
    const decoded = raw.replaceAll("&amp;", "&");
    if (!decoded.startsWith("/") && !decoded.startsWith(origin)) return [];
    if (decoded.startsWith("//")) return [];
    const url = new URL(decoded, origin);
    return url.origin === origin ? [`${url.pathname}${url.search}`] : [];
  });
}
