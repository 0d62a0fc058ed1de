/**
 * Live publishing on Node, as an operator's pipeline sees it: files written,
 * rewritten, renamed and deleted under a running server (the real `node`
 * process from dist/), each change checked over HTTP. Waits poll for the
 * change with a generous limit (a busy machine is slow); how fast a change
 * goes live is measured by `npm run bench -- live`, not here.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, PROCESS_TEST_TIMEOUT, recordingHub } from "./helpers.js";
import { type Served, startServe } from "./serve.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-live-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(
  () => promisify(execFile)("npm", ["run", "--silent", "build:server"]),
  PROCESS_TEST_TIMEOUT,
);

/** An article file as a pipeline writes it. */
function article(
  slug: string,
  options: { title?: string; date?: string; topic?: string } = {},
): string {
  return [
    "---",
    `title: ${JSON.stringify(options.title ?? `Live article ${slug}`)}`,
    `excerpt: "Written while the server runs."`,
    `publishedDateTime: ${options.date ?? "2024-05-01T10:00:00Z"}`,
    `webUrl: "https://live.example.com/${slug}"`,
    "provider:",
    "  name: Live Wire",
    "  domain: live.example.com",
    "topics:",
    `  - ${options.topic ?? "Live Topic"}`,
    "---",
    "",
  ].join("\n");
}

/** The server with no parse cache, so that every start reads the folder as it is. */
const startServer = (data: string, env: Record<string, string> = {}) =>
  startServe(data, { FEEDLOOM_CACHE_DIR: "off", ...env });

/** Polls until `check` passes, for at most `limitMs`; returns how long it took. */
async function eventually(check: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

/** The feed's titles; none while the server sheds load (503 with Retry-After): the caller polls again. */
const titlesOf = async (origin: string, path = "/feed.json") => {
  const response = await fetch(`${origin}${path}`);
  if (!response.ok) return [];
  return ((await response.json()) as { items: { title: string }[] }).items.map(
    (item) => item.title,
  );
};
const reloadLines = (output: string) =>
  output.split("\n").filter((line) => line.startsWith("feedloom: reload: "));

describe("live publishing on Node", { timeout: 4 * PROCESS_TEST_TIMEOUT }, () => {
  let data: string;
  let server: Served;
  const hub = recordingHub();
  beforeAll(async () => {
    hub.server.listen(0, "127.0.0.1");
    await once(hub.server, "listening");
    data = join(work, "data");
    cpSync(FIXTURES, data, { recursive: true });
    server = await startServer(data, {
      WEBSUB_HUBS: hub.url(),
      PUBLIC_URL: "http://127.0.0.1",
      ALLOWED_HOSTS: "*",
      DATA_RESCAN_SECONDS: "0",
    });
  }, PROCESS_TEST_TIMEOUT);
  afterAll(async () => {
    await server.stop();
    hub.server.close();
  });

  it("puts a new file live without a restart, logs one line, and tells the hub of exactly its feeds", async () => {
    hub.posts.length = 0;
    writeFileSync(join(data, "2024-05-01-first.md"), article("first"));
    await eventually(async () => (await titlesOf(server.origin)).includes("Live article first"));
    expect(await titlesOf(server.origin, "/topics/live-topic/feed.json")).toEqual([
      "Live article first",
    ]);
    expect(reloadLines(server.log()).at(-1)).toMatch(
      /^feedloom: reload: 1 added, 0 changed, 0 removed; 0 problems; \d+ published, 0 scheduled; \d+ ms$/,
    );
    await eventually(async () => hub.posts.length > 0);
    const told = hub.posts.flat().map((url) => new URL(url).pathname);
    expect(new Set(told)).toEqual(
      new Set(
        ["/feed", "/topics/live-topic/feed", "/providers/live.example.com/feed"].flatMap((path) => [
          `${path}.rss`,
          `${path}.atom`,
          `${path}.json`,
        ]),
      ),
    );
  });

  it("serves a changed file with a new ETag, and answers the old one with the new body", async () => {
    const before = await fetch(`${server.origin}/feed.rss`);
    const oldTag = before.headers.get("etag")!;
    writeFileSync(
      join(data, "2024-05-01-first.md"),
      article("first", { title: "Live article first, corrected" }),
    );
    await eventually(async () =>
      (await titlesOf(server.origin)).includes("Live article first, corrected"),
    );
    const after = await fetch(`${server.origin}/feed.rss`, {
      headers: { "If-None-Match": oldTag },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(oldTag);
    expect(reloadLines(server.log()).at(-1)).toMatch(/: 0 added, 1 changed, 0 removed;/);
  });

  it("takes an editor's save through a temporary file and a rename", async () => {
    writeFileSync(join(data, ".2024-05-02-second.md.swp"), "partial");
    writeFileSync(join(data, "2024-05-02-second.md~"), article("second"));
    renameSync(join(data, "2024-05-02-second.md~"), join(data, "2024-05-02-second.md"));
    unlinkSync(join(data, ".2024-05-02-second.md.swp"));
    await eventually(async () => (await titlesOf(server.origin)).includes("Live article second"));
  });

  it("keeps the last valid version live while an edit leaves the file broken, warns with file, field and reason, and removes it on delete", async () => {
    const file = join(data, "2024-05-02-second.md");
    writeFileSync(
      file,
      article("second").replace(
        /^publishedDateTime: .*$/m,
        "publishedDateTime: 2024-13-45T99:00:00Z",
      ),
    );
    await eventually(async () =>
      /2024-05-02-second\.md: publishedDateTime: .*the last valid version stays live until the file is fixed or deleted/.test(
        server.log(),
      ),
    );
    expect(await titlesOf(server.origin)).toContain("Live article second");
    expect(reloadLines(server.log()).at(-1)).toMatch(/: 0 added, 0 changed, 0 removed; 1 problem;/);
    unlinkSync(file);
    await eventually(async () => !(await titlesOf(server.origin)).includes("Live article second"));
    expect(reloadLines(server.log()).at(-1)).toMatch(/: 0 added, 0 changed, 1 removed;/);
  });

  it("makes one reload or a few of 300 files copied at once, not 300", async () => {
    const burst = join(work, "burst");
    rmSync(burst, { recursive: true, force: true });
    cpSync(data, burst, { recursive: true });
    const reloadsBefore = reloadLines(server.log()).length;
    const staged = join(work, "staged");
    rmSync(staged, { recursive: true, force: true });
    cpSync(FIXTURES, staged, { recursive: true });
    for (let i = 0; i < 300; i++)
      writeFileSync(
        join(staged, `2024-06-01-burst-${i}.md`),
        article(`burst-${i}`, { topic: "Burst" }),
      );
    for (const name of readdirSync(staged).filter((name) => name.includes("burst")))
      renameSync(join(staged, name), join(data, name));
    await eventually(
      async () =>
        (await (await fetch(`${server.origin}/topics.json`)).text()).includes('"key":"burst"') &&
        (await topicCount(server.origin, "burst")) === 300,
    );
    const reloads = reloadLines(server.log()).length - reloadsBefore;
    expect(reloads).toBeGreaterThanOrEqual(1);
    expect(reloads).toBeLessThanOrEqual(3);
  });

  it("keeps answering, with every ETag matching its body, while 100 reloads happen under load", async () => {
    const errors: string[] = [];
    let polls = 0;
    let done = false;
    const poll = async () => {
      while (!done) {
        try {
          const response = await fetch(`${server.origin}/feed.rss`, {
            headers: { "Accept-Encoding": "identity" },
          });
          const body = Buffer.from(await response.arrayBuffer());
          polls++;
          if (response.status !== 200) errors.push(`status ${response.status}`);
          else if (
            response.headers.get("etag") !==
            `"${createHash("sha1").update(body).digest("base64url")}"`
          )
            errors.push("ETag does not match the body");
        } catch (error) {
          errors.push(String(error));
        }
      }
    };
    const clients = [poll(), poll()];
    const reloadsBefore = reloadLines(server.log()).length;
    try {
      for (let i = 0; i < 100; i++) {
        writeFileSync(
          join(data, "2024-07-01-churn.md"),
          article("churn", { title: `Churn ${i}`, date: "2024-07-01T10:00:00Z" }),
        );
        const seen = `Churn ${i}`;
        await eventually(async () => (await titlesOf(server.origin)).includes(seen));
      }
    } finally {
      done = true;
      await Promise.all(clients);
    }
    expect(reloadLines(server.log()).length - reloadsBefore).toBeGreaterThanOrEqual(100);
    expect(polls).toBeGreaterThan(100);
    expect(errors).toEqual([]);
  });

  it("leaves the last good set live when the data folder disappears, and says so", async () => {
    const titles = await titlesOf(server.origin);
    const moved = join(work, "moved-away");
    renameSync(data, moved);
    try {
      await eventually(async () =>
        /reload of .* failed, the last good set stays live: the data folder .* does not exist/.test(
          server.log(),
        ),
      );
      expect((await fetch(`${server.origin}/feed.rss`)).status).toBe(200);
      expect(await titlesOf(server.origin)).toEqual(titles);
    } finally {
      renameSync(moved, data);
    }
  });
});

async function topicCount(origin: string, key: string): Promise<number> {
  const topics = (await (await fetch(`${origin}/topics.json`)).json()) as
    { topics?: { key: string; count: number }[] } | { key: string; count: number }[];
  const list = Array.isArray(topics) ? topics : (topics.topics ?? []);
  return list.find((topic) => topic.key === key)?.count ?? 0;
}

describe("scheduled articles on Node", { timeout: 2 * PROCESS_TEST_TIMEOUT }, () => {
  it("leaves an article dated ahead out until its time, then serves it without a restart and tells the hub", async () => {
    const hub = recordingHub();
    hub.server.listen(0, "127.0.0.1");
    await once(hub.server, "listening");
    const data = join(work, "scheduled");
    cpSync(FIXTURES, data, { recursive: true });
    // Whole seconds, as article dates are written, and far enough ahead for a slow start.
    const due = new Date(Math.ceil((Date.now() + 6_000) / 1000) * 1000)
      .toISOString()
      .replace(/\.000Z$/, "Z");
    writeFileSync(
      join(data, "2026-01-01-scheduled.md"),
      article("scheduled", { date: due, topic: "Scheduled Topic" }),
    );
    const server = await startServer(data, {
      WEBSUB_HUBS: hub.url(),
      PUBLIC_URL: "http://127.0.0.1",
      ALLOWED_HOSTS: "*",
    });
    try {
      expect(server.log()).toMatch(/1 scheduled \(next /);
      expect(await titlesOf(server.origin)).not.toContain("Live article scheduled");
      expect((await fetch(`${server.origin}/topics/scheduled-topic/feed.rss`)).status).toBe(404);
      expect(await (await fetch(`${server.origin}/sitemap.xml`)).text()).not.toContain(
        "scheduled-topic",
      );
      expect(Date.now()).toBeLessThan(Date.parse(due)); // all of the above was asked before its time
      await eventually(
        async () => (await titlesOf(server.origin)).includes("Live article scheduled"),
        20_000,
      );
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(due));
      expect(await titlesOf(server.origin, "/topics/scheduled-topic/feed.json")).toEqual([
        "Live article scheduled",
      ]);
      await eventually(async () =>
        hub.posts.flat().some((url) => url.endsWith("/topics/scheduled-topic/feed.rss")),
      );
      expect(server.log()).toMatch(/1 scheduled article went out: 2026-01-01-scheduled\.md/);
    } finally {
      await server.stop();
      hub.server.close();
    }
  });
});

describe("DATA_WATCH=poll", { timeout: 2 * PROCESS_TEST_TIMEOUT }, () => {
  it("finds changes by rescanning alone, where file events do not arrive", async () => {
    const data = join(work, "polled");
    cpSync(FIXTURES, data, { recursive: true });
    const server = await startServer(data, { DATA_WATCH: "poll", DATA_RESCAN_SECONDS: "1" });
    try {
      expect(server.log()).toMatch(/changes go live at the next rescan \(a rescan every 1 s\)/);
      writeFileSync(join(data, "2024-05-01-polled.md"), article("polled"));
      await eventually(async () => (await titlesOf(server.origin)).includes("Live article polled"));
    } finally {
      await server.stop();
    }
  });
});
