/**
 * `npm run export`: the files are what the live app answers, every feed among
 * them passes the live checks, paging links lead to files that exist, and a
 * second run of unchanged data writes nothing.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticArticles } from "../src/content/synthetic.js";
import { checkFeed } from "../src/feeds/check.js";
import { fileForUrl, sharedQueue } from "../src/publish/static-export.js";
import {
  FIXTURES,
  PROCESS_TEST_TIMEOUT,
  children,
  fixtureApp,
  parseXmlStrict,
  recordingHub,
  runCli,
} from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-export-"));
const data = join(work, "data");
const out = join(work, "site");
beforeAll(async () => {
  hub.server.listen(0, "127.0.0.1");
  await once(hub.server, "listening");
});
// Several exported sites of a thousand articles: removing them took over 10 s with both cores busy.
afterAll(() => {
  hub.server.close();
  rmSync(work, { recursive: true, force: true });
}, PROCESS_TEST_TIMEOUT);
cpSync(FIXTURES, data, { recursive: true });

// The export's record (what it rendered from what) lives in the cache folder, outside the site.
const ENV = {
  PUBLIC_URL: "https://feeds.example.com",
  FEED_LIMIT: "2",
  SITE_ICON: "https://everyday-cc.github.io/ai/icon.png",
  FEEDLOOM_CACHE_DIR: join(work, "cache"),
};
const hub = recordingHub();
const exportSite = () =>
  runCli("export", ["--data", data, "--out", out], { ...ENV, WEBSUB_HUBS: hub.url() });

function filesUnder(dir: string): string[] {
  return (
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      // The static host's rule files are not pages: _headers and _redirects.
      .filter(
        (name) => statSync(join(dir, name)).isFile() && !["_headers", "_redirects"].includes(name),
      )
      .map((name) => relative(dir, join(dir, name)))
      .sort()
  );
}
/** `_headers` rules: a path pattern, then its lines (`Name: value`, or `! Name` to drop). */
function parseHeadersFile(text: string): { pattern: string; lines: string[] }[] {
  const rules: { pattern: string; lines: string[] }[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    if (line.startsWith("/")) rules.push({ pattern: line.trim(), lines: [] });
    else rules.at(-1)!.lines.push(line.trim());
  }
  return rules;
}

/** The headers Cloudflare Pages sends for a path, as its documentation says: every matching rule, values joined, `!` drops. */
function cloudflareHeaders(
  rules: ReturnType<typeof parseHeadersFile>,
  path: string,
): Map<string, string> {
  const headers = new Map<string, string>();
  for (const { pattern, lines } of rules) {
    // `*` matches anything, `:name` one segment.
    const matcher = new RegExp(
      `^${pattern
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/:\w+/g, "[^/]+")}$`,
    );
    if (!matcher.test(path)) continue;
    for (const line of lines) {
      if (line.startsWith("!")) headers.delete(line.slice(1).trim().toLowerCase());
      else {
        const [name, ...value] = line.split(": ");
        const key = name.toLowerCase();
        headers.set(
          key,
          headers.has(key) ? `${headers.get(key)}, ${value.join(": ")}` : value.join(": "),
        );
      }
    }
  }
  return headers;
}

/** The URL a file answers for, as a static host maps it. */
const urlOf = (file: string) =>
  `/${file
    .replace(/(^|\/)index\.html$/, "$1")
    .split("/")
    .map(encodeURIComponent)
    .join("/")}`;

/** What the live app answers for a file's URL: 200, except the not-found page, which is what a browser gets for any missing path. */
async function liveAnswer(
  app: { request(url: string, init?: RequestInit): Response | Promise<Response> },
  base: string,
  file: string,
) {
  const notFound = file === "404.html";
  const response = await app.request(
    `${base}${urlOf(file)}`,
    notFound ? { headers: { Accept: "text/html" } } : undefined,
  );
  expect(response.status, file).toBe(notFound ? 404 : 200);
  return Buffer.from(await response.arrayBuffer());
}

describe("npm run export", { timeout: 2 * PROCESS_TEST_TIMEOUT }, () => {
  it("needs PUBLIC_URL or --base-url, and says so as a usage error", async () => {
    const failure = await runCli("export", ["--data", data, "--out", out]).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(
      /^feedloom export: export needs the address the files will be served from: --base-url https:\/\/you\.github\.io\/feeds \(or PUBLIC_URL\)/,
    );
  });

  it("writes every file byte for byte as the live app answers it", async () => {
    const { stdout } = await exportSite();
    const total = Number(
      /: (\d+) files: \1 rendered \(.* MB\), \1 written, 0 unchanged, 0 removed/.exec(stdout)?.[1],
    );
    expect(total).toBeGreaterThan(0);
    // Not a terminal here, so the progress is a line per tenth; its last agrees with the total (_headers and 404.html included).
    expect(
      [...stdout.matchAll(/export: (\d+)\/(\d+) files/g)].at(-1)?.slice(1).map(Number),
    ).toEqual([total, total]);
    const { app } = await fixtureApp({ ...ENV, WEBSUB_HUBS: hub.url() });
    const files = filesUnder(out);
    expect(files).toContain("index.html");
    expect(files).toContain("feed/archive/1.rss");
    // Pages counted from the newest shift with every article: they answer live only.
    expect(files.filter((file) => file.includes("/page/"))).toEqual([]);
    expect(files).toContain("topics/ai/index.html");
    expect(files).toContain("embed/topics/ai/index.html");
    expect(files).toContain("404.html");
    for (const file of files)
      expect(
        Buffer.compare(
          await liveAnswer(app, "https://feeds.example.com", file),
          readFileSync(join(out, file)),
        ),
        file,
      ).toBe(0);
  });

  it("writes feeds that pass the live checks, whose links all lead to exported files, or to the feed while an archive fills", async () => {
    const feeds = filesUnder(out).filter((file) =>
      /(^|\/)feed(\/archive\/\d+)?\.(rss|atom|json)$/.test(file),
    );
    expect(feeds.filter((file) => file.includes("/archive/")).length).toBeGreaterThan(20);
    const linked = new Set<string>();
    for (const file of feeds) {
      const body = readFileSync(join(out, file), "utf8");
      const format = file.endsWith(".json") ? "json" : file.endsWith(".rss") ? "rss" : "atom";
      expect(checkFeed(format, body).problems, file).toEqual([]);
      if (format === "json") {
        const next = (JSON.parse(body) as { next_url?: string }).next_url;
        if (next) linked.add(next);
      } else {
        const root = parseXmlStrict(body);
        const links =
          format === "rss"
            ? children(children(root, "channel")[0], "atom:link")
            : children(root, "link");
        for (const link of links)
          if (link.attributes.rel !== "alternate" && link.attributes.rel !== "hub")
            linked.add(link.attributes.href);
      }
    }
    expect([...linked].some((url) => url.includes("/archive/"))).toBe(true);
    const { app } = await fixtureApp(ENV);
    let filling = 0;
    for (const url of linked) {
      expect(url.startsWith("https://feeds.example.com/"), url).toBe(true);
      if (existsSync(join(out, fileForUrl(new URL(url).pathname)))) continue;
      // The newest archive links the next one before it is complete; live, that sends readers to the feed, which holds its articles.
      filling++;
      const live = await app.request(url);
      expect([live.status, live.headers.get("location")], url).toEqual([
        302,
        url.replace(/\/archive\/\d+(\.\w+)$/, "$1").replace("https://feeds.example.com", ""),
      ]);
    }
    expect(filling).toBeGreaterThan(0);
  });

  it("writes nothing the second time, and removes what is no longer produced", async () => {
    hub.posts.splice(0);
    const again = await exportSite();
    // Nothing rendered either: the record says no file's inputs changed. It is kept outside the site.
    expect(again.stdout).toMatch(/: 0 rendered \(0\.0 MB\), 0 written, (\d+) unchanged, 0 removed/);
    expect(
      filesUnder(out).filter((file) => file.split("/").some((segment) => segment.startsWith("."))),
    ).toEqual([]);
    expect(hub.posts).toEqual([]); // nothing changed, no hub told
    unlinkSync(join(data, "2023-08-15-weburl-bad-original-good.md")); // the only article of example-cx.com
    const after = await exportSite();
    expect(after.stdout).toMatch(/, [1-9]\d* written, \d+ unchanged, [1-9]\d* removed/);
    // The feeds the article was in changed (everything, its topics); its provider's feed is gone.
    const told = new Set(hub.posts.flat().map((url) => url.replace(/\.(rss|atom|json)$/, "")));
    expect(told).toContain("https://feeds.example.com/feed");
    expect(told).toContain("https://feeds.example.com/topics/ai/feed");
    expect([...told].some((url) => url.includes("example-cx.com"))).toBe(false);
    expect(existsSync(join(out, "providers", "example-cx.com"))).toBe(false);
    expect(filesUnder(out).some((file) => file.includes("example-cx.com"))).toBe(false);
  });

  it("writes a _headers file that gives a static host the live service's headers", async () => {
    const rules = parseHeadersFile(readFileSync(join(out, "_headers"), "utf8"));
    const { app } = await fixtureApp({ ...ENV, WEBSUB_HUBS: hub.url() });
    const compared = [
      "access-control-allow-origin",
      "x-content-type-options",
      "strict-transport-security",
      "cache-control",
      "content-security-policy",
      "x-frame-options",
    ];
    for (const path of [
      "/",
      "/topics/ai/",
      "/embed/topics/ai/",
      "/assets/" + filesUnder(join(out, "assets"))[0],
      "/feed.rss",
      "/topics/ai/feed/archive/1.json",
      "/feed/archive/2.atom",
    ]) {
      const live = (await app.request(`https://feeds.example.com${path}`)).headers;
      const served = cloudflareHeaders(rules, path);
      for (const name of compared) {
        // Files that are not HTML (feeds, scripts) get the pages' CSP on a static host (one rule covers all); the rest is as live.
        if (
          name === "content-security-policy" &&
          !live.get("content-type")?.startsWith("text/html")
        )
          continue;
        expect(served.get(name) ?? null, `${path} ${name}`).toBe(live.get(name));
      }
    }
    const netlify = await runCli(
      "export",
      ["--data", data, "--out", join(work, "netlify"), "--headers", "netlify"],
      ENV,
    );
    expect(netlify.stdout).toMatch(/written/);
    expect(readFileSync(join(work, "netlify", "_headers"), "utf8")).not.toMatch(/^\s+!/m);
  });

  it("serves from a sub-path (a GitHub Pages project site): routes, links and _headers rules all sit under it", async () => {
    const base = "https://you.github.io/feeds";
    const subOut = join(work, "sub-path");
    const env = { ...ENV, PUBLIC_URL: `${base}/` };
    await runCli("export", ["--data", FIXTURES, "--out", subOut], env);
    const { app } = await fixtureApp(env);
    const files = filesUnder(subOut);
    expect(files).toContain("index.html");
    expect(files).toContain("topics/ai/feed.rss");
    for (const file of files)
      expect(
        Buffer.compare(await liveAnswer(app, base, file), readFileSync(join(subOut, file))),
        file,
      ).toBe(0);
    // Every link of every page, root-relative or absolute, lands on an exported file under the base.
    let links = 0;
    for (const file of files.filter((name) => name.endsWith(".html"))) {
      for (const [, url] of readFileSync(join(subOut, file), "utf8").matchAll(
        /(?:href|src|action)="([^"]+)"/g,
      )) {
        const path = url.startsWith("/")
          ? url
          : url.startsWith(`${base}/`)
            ? url.slice("https://you.github.io".length)
            : undefined;
        if (path === undefined) continue; // an article's own link, elsewhere
        links++;
        expect(path.startsWith("/feeds/"), `${file}: ${url}`).toBe(true);
        expect(
          existsSync(join(subOut, fileForUrl(new URL(path, base).pathname.slice("/feeds".length)))),
          `${file}: ${url}`,
        ).toBe(true);
      }
    }
    expect(links).toBeGreaterThan(100);
    // The iframe snippet's height listener compares a message's origin, which never has a path.
    expect(readFileSync(join(subOut, "index.html"), "utf8")).toContain(
      "e.origin !== &quot;https://you.github.io&quot;",
    );
    const feed = await (await app.request(`${base}/feed.rss`)).text();
    expect(feed).toContain(
      `<atom:link rel="self" type="application/rss+xml" href="${base}/feed.rss"/>`,
    );
    expect((await app.request("https://you.github.io/feed.rss")).status).toBe(404);
    const redirect = await app.request(`${base}/feed.rss?page=2`);
    expect([redirect.status, redirect.headers.get("location")]).toEqual([
      301,
      "/feeds/feed/page/2.rss",
    ]);
    const renamed = await app.request(`${base}/topics/AI/`);
    expect([renamed.status, renamed.headers.get("location")]).toEqual([301, "/feeds/topics/ai/"]);
    expect(
      parseHeadersFile(readFileSync(join(subOut, "_headers"), "utf8")).map((rule) => rule.pattern),
    ).toEqual([
      "/feeds/*",
      "/feeds/feed/archive/:file",
      "/feeds/topics/:key/feed/archive/:file",
      "/feeds/providers/:key/feed/archive/:file",
      "/feeds/assets/:file",
      "/feeds/embed/",
      "/feeds/embed/topics/:key/",
      "/feeds/embed/providers/:key/",
    ]);
  });

  it("gives the same bytes in any time zone and locale", async () => {
    const here = join(work, "tz-utc");
    const there = join(work, "tz-chatham");
    await runCli("export", ["--data", FIXTURES, "--out", here], {
      ...ENV,
      TZ: "UTC",
      LC_ALL: "C.UTF-8",
    });
    await runCli("export", ["--data", FIXTURES, "--out", there], {
      ...ENV,
      TZ: "Pacific/Chatham",
      LC_ALL: "tr_TR.UTF-8",
      LANG: "tr_TR.UTF-8",
    });
    const files = filesUnder(here);
    expect(filesUnder(there)).toEqual(files);
    for (const file of files)
      expect(
        Buffer.compare(readFileSync(join(here, file)), readFileSync(join(there, file))),
        file,
      ).toBe(0);
  });

  it("trusts the folder over its record: a file changed or deleted by hand is written again, and one already gone is no error", async () => {
    const site = join(work, "by-hand-site");
    const folder = join(work, "by-hand-data");
    cpSync(FIXTURES, folder, { recursive: true });
    const run = () => runCli("export", ["--data", folder, "--out", site], ENV);
    await run();
    const clean = new Map(filesUnder(site).map((file) => [file, readFileSync(join(site, file))]));
    writeFileSync(join(site, "feed.atom"), "garbage\n");
    rmSync(join(site, "topics", "ai", "index.html"));
    // An article goes, and the folders its files were in are gone already.
    const only = "2023-08-15-weburl-bad-original-good.md";
    unlinkSync(join(folder, only));
    rmSync(join(site, "providers", "example-cx.com"), { recursive: true });
    const after = await run();
    expect(after.stderr).toBe("");
    expect(readFileSync(join(site, "feed.atom"), "utf8")).not.toBe("garbage\n");
    expect(existsSync(join(site, "topics", "ai", "index.html"))).toBe(true);
    // Byte-equal to a clean export of the same data.
    const fresh = join(work, "by-hand-fresh");
    await runCli("export", ["--data", folder, "--out", fresh], ENV);
    expect(filesUnder(site)).toEqual(filesUnder(fresh));
    for (const file of filesUnder(fresh))
      expect(readFileSync(join(site, file)).equals(readFileSync(join(fresh, file))), file).toBe(
        true,
      );
    expect(clean.size).toBeGreaterThan(filesUnder(site).length);
  });

  it("renders on two threads the very bytes it renders on one", async () => {
    const corpus = join(work, "threads");
    mkdirSync(corpus);
    for (const { name, text } of syntheticArticles(1_000, { seed: 5 }))
      writeFileSync(join(corpus, name), text);
    // Parsed by either thread, a broken file is reported all the same.
    writeFileSync(join(corpus, "2021-01-01-broken.md"), "---\nexcerpt: no title\n---\n");
    const exportWith = (threads: string) =>
      runCli("export", ["--data", corpus, "--out", join(work, `threads-${threads}`)], {
        PUBLIC_URL: "https://feeds.example.com",
        FEEDLOOM_EXPORT_THREADS: threads,
      });
    const [two, one] = [await exportWith("2"), await exportWith("1")];
    expect(two.stdout).toMatch(/ on 2 threads\n/);
    expect(one.stdout).toMatch(/ on 1 thread\n/);
    expect(two.stderr).toMatch(/2021-01-01-broken\.md: title: /);
    expect(two.stderr).toBe(one.stderr);
    const files = filesUnder(join(work, "threads-1"));
    expect(files.length).toBeGreaterThan(900);
    expect(filesUnder(join(work, "threads-2"))).toEqual(files);
    for (const file of files)
      expect(
        readFileSync(join(work, "threads-2", file)).equals(
          readFileSync(join(work, "threads-1", file)),
        ),
        file,
      ).toBe(true);
    const wrong = await exportWith("many").catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(wrong).toMatchObject({ code: 2 });
    expect((wrong as { stderr: string }).stderr).toContain(
      "FEEDLOOM_EXPORT_THREADS must be 1 or 2",
    );
  });

  it("after one new article in 1,000, renders and writes a few dozen files, and renders nothing it need not", async () => {
    const corpus = join(work, "thousand");
    const site = join(work, "thousand-site");
    mkdirSync(corpus);
    for (const { name, text } of syntheticArticles(1_000, { seed: 3 }))
      writeFileSync(join(corpus, name), text);
    const env = {
      PUBLIC_URL: "https://feeds.example.com",
      FEEDLOOM_CACHE_DIR: join(work, "thousand-cache"),
    };
    const cold = await runCli("export", ["--data", corpus, "--out", site], env);
    const [, files] = /: (\d+) files: \1 rendered/.exec(cold.stdout) ?? [];
    expect(Number(files)).toBeGreaterThan(900);
    const before = new Map(filesUnder(site).map((file) => [file, readFileSync(join(site, file))]));
    // A new article from a provider that has others, in "AI" and one more topic.
    const template = readFileSync(join(corpus, readdirSync(corpus).sort()[0]), "utf8");
    writeFileSync(
      join(corpus, "2026-11-27-new.md"),
      template
        .replace(/^title: .*$/m, 'title: "One new article"')
        .replace(/^publishedDateTime: .*$/m, "publishedDateTime: 2026-11-27T08:00:00Z")
        .replace(
          /^(originalUrl|webUrl): .*$/gm,
          '$1: "https://www.provider1.com/news/one-new-article"',
        )
        .replace(/^published: .*$/m, "published: true"),
    );
    const warm = await runCli("export", ["--data", corpus, "--out", site], env);
    const [, rendered, written] = (
      /: (\d+) rendered .*?, (\d+) written/.exec(warm.stdout) ?? []
    ).map(Number);
    expect(written).toBeGreaterThan(5);
    expect(written).toBeLessThanOrEqual(50);
    expect(rendered).toBeLessThanOrEqual(60);
    // What was written is exactly what changed, and every archive stayed as it was.
    const changed = filesUnder(site).filter(
      (file) => !before.get(file)?.equals(readFileSync(join(site, file))),
    );
    expect(changed.length).toBe(written);
    expect(changed).toContain("feed.rss");
    expect(changed).toContain("topics/ai/index.html");
    expect(changed.filter((file) => file.includes("/archive/") && before.has(file))).toEqual([]);
  });

  it("names files after decoded paths, as static hosts look them up", () => {
    expect(fileForUrl("/")).toBe("index.html");
    expect(fileForUrl("/topics/%EC%95%84%ED%81%AC%EB%A1%9C%ED%8C%AC/")).toBe(
      "topics/아크로팬/index.html",
    );
    expect(fileForUrl("/feed/archive/2.rss")).toBe("feed/archive/2.rss");
    expect(() => fileForUrl("/topics/%2E%2E/")).toThrow(/not a path that can be a file/);
  });

  it("shares one queue between two threads from opposite ends: every position once, each end in order", () => {
    const taken = new Int32Array(new SharedArrayBuffer(4));
    const front = sharedQueue(taken, 7, "front");
    const back = sharedQueue(taken, 7, "back");
    const seen: [string, number | undefined][] = [];
    for (const [name, take] of [
      ["f", front],
      ["f", front],
      ["b", back],
      ["f", front],
      ["b", back],
      ["b", back],
      ["b", back],
      ["f", front],
      ["b", back],
    ] as const)
      seen.push([name, take()]);
    expect(seen).toEqual([
      ["f", 0],
      ["f", 1],
      ["b", 6],
      ["f", 2],
      ["b", 5],
      ["b", 4],
      ["b", 3],
      ["f", undefined],
      ["b", undefined],
    ]);
  });
});
