/**
 * The publishing API on Node (docs/api.md), through the live site a server
 * runs: writes land as files in a data folder, which the live reload
 * publishes; and every refusal (auth, scope, preconditions, validation,
 * size, rate, path tricks) changes nothing on disk.
 */
import { spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadApiConfig, loadConfig } from "../src/config.js";
import { parseArticleFile } from "../src/content/parse.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { type LiveSite, startLiveSite } from "../src/entry/live-site.js";
import { loadIndexFromDir } from "../src/sources/load.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT, freePort } from "./helpers.js";

const ORIGIN = "https://feeds.example.com";
const SECRETS = {
  crawler: "crawler-secret-of-thirty-two-chars",
  janitor: "janitor-secret-of-thirty-two-chars",
  narrow: "narrow-secret-of-thirty-two-chars!",
};
const API_TOKENS = [
  `crawler:create,update:${SECRETS.crawler}`,
  `janitor:delete:${SECRETS.janitor}`,
  `narrow:create,update:example.org:${SECRETS.narrow}`,
].join(" ");

const work = mkdtempSync(join(tmpdir(), "feedloom-api-"));
const dir = join(work, "data");
let site: LiveSite;

const ARTICLE = {
  title: "Sent over HTTP",
  excerpt: "An article a pipeline sent.",
  publishedDateTime: "2022-09-10T08:00:00Z",
  webUrl: "https://example.com/sent-over-http",
  provider: { name: "Example", domain: "example.com" },
  topics: ["AI"],
  pipelineRun: 42,
};

function call(
  path: string,
  { token = "crawler", ...init }: RequestInit & { token?: keyof typeof SECRETS | "none" } = {},
) {
  const headers = new Headers(init.headers);
  if (token !== "none") headers.set("Authorization", `Bearer ${SECRETS[token]}`);
  return site.fetch(new Request(`${ORIGIN}${path}`, { ...init, headers }));
}
const putJson = (
  key: string,
  body: unknown,
  init: RequestInit & { token?: keyof typeof SECRETS } = {},
) =>
  call(`/api/articles/${key}`, {
    method: "PUT",
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
    headers: { "Content-Type": "application/json", ...init.headers },
  });
const files = () => readdirSync(dir).sort();
const feed = async () => (await site.fetch(new Request(`${ORIGIN}/feed.rss`))).text();

async function until(probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

beforeAll(async () => {
  cpSync(FIXTURES, dir, { recursive: true });
  const env = {
    API_TOKENS,
    API_RATE_LIMIT: "1000",
    STATE_DIR: join(work, "state"),
    FEEDLOOM_CACHE_DIR: "off",
  };
  site = await startLiveSite({ dir, config: loadConfig({ PUBLIC_URL: ORIGIN }), env });
});
afterAll(() => {
  site.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the publishing API on Node", () => {
  it("creates an article as a file that validate accepts, live in the feeds, and gives it back", async () => {
    const created = await putJson("2022-09-10-sent-over-http", ARTICLE);
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/articles/2022-09-10-sent-over-http");
    expect(created.headers.get("cache-control")).toBe("private, no-store");
    expect(created.headers.get("access-control-allow-origin")).toBeNull();
    const etag = created.headers.get("etag")!;
    expect(await created.json()).toEqual({
      key: "2022-09-10-sent-over-http",
      result: "created",
      etag,
    });

    const text = readFileSync(join(dir, "2022-09-10-sent-over-http.md"), "utf8");
    const parsed = parseArticleFile("2022-09-10-sent-over-http.md", text);
    expect(parsed.issues).toEqual([]);
    expect(parsed.article?.title).toBe("Sent over HTTP");
    // Unknown fields are kept, as files keep them.
    expect(text).toContain("pipelineRun: 42");
    await until(async () => (await feed()).includes("Sent over HTTP"));

    const read = await call("/api/articles/2022-09-10-sent-over-http");
    expect([read.status, read.headers.get("etag")]).toEqual([200, etag]);
    expect((await read.json()).article).toEqual(ARTICLE);
    const markdown = await call("/api/articles/2022-09-10-sent-over-http", {
      headers: { Accept: "text/markdown" },
    });
    expect(await markdown.text()).toBe(text);
  });

  it("gives the same feed bytes as the same article written by hand", async () => {
    const byHand = join(work, "by-hand");
    cpSync(FIXTURES, byHand, { recursive: true });
    writeFileSync(
      join(byHand, "2022-09-10-sent-over-http.md"),
      [
        "---",
        "title: Sent over HTTP",
        "excerpt: An article a pipeline sent.",
        "publishedDateTime: 2022-09-10T08:00:00Z",
        "webUrl: https://example.com/sent-over-http",
        "provider:",
        "  name: Example",
        "  domain: example.com",
        "topics: [AI]",
        "pipelineRun: 42",
        "---",
        "",
      ].join("\n"),
    );
    const { index, version } = await loadIndexFromDir(byHand, {
      includeUnpublished: false,
      now: Date.now(),
    });
    const app = createApp({
      store: createMemoryStore(index, version, { now: () => Date.now() }),
      config: loadConfig({ PUBLIC_URL: ORIGIN }),
    });
    const live = await (await site.fetch(new Request(`${ORIGIN}/feed.atom`))).text();
    expect(live).toContain("Sent over HTTP");
    expect(await (await app.request(`${ORIGIN}/feed.atom`)).text()).toBe(live);
  });

  it("replaces only the version named by If-Match, refuses a create over an existing one, and changes nothing when sent again", async () => {
    const key = "2022-09-10-sent-over-http";
    const { etag } = await (await call(`/api/articles/${key}`)).json();
    const stale = await putJson(
      key,
      { ...ARTICLE, title: "Stale" },
      { headers: { "If-Match": '"not-it"' } },
    );
    expect(stale.status).toBe(412);
    expect((await stale.json()).error.message).toMatch(/GET it again/);
    const createOnly = await putJson(key, ARTICLE, { headers: { "If-None-Match": "*" } });
    expect(createOnly.status).toBe(412);
    const replaced = await putJson(
      key,
      { ...ARTICLE, title: "Sent, then corrected" },
      { headers: { "If-Match": etag } },
    );
    expect([replaced.status, (await replaced.json()).result]).toEqual([200, "replaced"]);
    const again = await putJson(key, { ...ARTICLE, title: "Sent, then corrected" });
    expect([again.status, (await again.json()).result]).toEqual([200, "unchanged"]);
    await until(async () => (await feed()).includes("Sent, then corrected"));
    // The item is the same one: its id comes from webUrl, not from the key or the title.
    expect((await feed()).match(/Sent over HTTP/)).toBeNull();
  });

  it("refuses an invalid article with every problem, as validate names them, and writes nothing", async () => {
    const before = files();
    const missing = await putJson("2022-09-11-no-title", {
      ...ARTICLE,
      title: undefined,
      topics: "AI",
      webUrl: "not a url",
    });
    expect(missing.status).toBe(422);
    const problems = (await missing.json()).error.problems as { field: string }[];
    expect(problems.map((problem) => problem.field)).toEqual(
      expect.arrayContaining(["title", "topics", "webUrl"]),
    );
    expect((await putJson("2022-09-11-bad-json", "{ not json")).status).toBe(400);
    expect((await putJson("2022-09-11-array", [ARTICLE])).status).toBe(400);
    const wrongType = await call("/api/articles/2022-09-11-x", {
      method: "PUT",
      body: "x",
      headers: { "Content-Type": "text/plain" },
    });
    expect(wrongType.status).toBe(415);
    expect(files()).toEqual(before);
  });

  it("counts a body on the stream: 5 MB sent chunked, without Content-Length, is a 413 and nothing is written", async () => {
    const before = files();
    // 5 MB to one article's URL (its limit is 256 kB), 10 MB to the batch's (8 MB).
    for (const [path, method, chunks] of [
      ["/api/articles/2022-09-11-huge", "PUT", 80],
      ["/api/articles", "POST", 160],
    ] as const) {
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (sent++ >= chunks) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const response = await call(path, {
        method,
        body,
        headers: { "Content-Type": "application/json" },
        duplex: "half",
      } as RequestInit);
      expect(response.status, path).toBe(413);
      expect((await response.json()).error.message).toMatch(/the body is over/);
      expect(sent, "stopped reading past the limit").toBeLessThan(chunks);
    }
    expect(files()).toEqual(before);
  });

  it("answers a wrong token 401, a missing scope or provider 403, and each refusal writes nothing", async () => {
    const before = files();
    const wrong = await call("/api/articles/2022-09-10-sent-over-http", {
      token: "none",
      headers: { Authorization: "Bearer not-a-token-at-all-no" },
    });
    expect([wrong.status, wrong.headers.get("www-authenticate")]).toEqual([
      401,
      'Bearer realm="feedloom api"',
    ]);
    expect((await call("/api/articles", { token: "none" })).status).toBe(401);
    const noScope = await putJson("2022-09-11-janitor", ARTICLE, { token: "janitor" });
    expect([noScope.status, (await noScope.json()).error.message]).toEqual([
      403,
      expect.stringMatching(/lacks the scope create/),
    ]);
    const otherProvider = await putJson("2022-09-11-narrow", ARTICLE, { token: "narrow" });
    expect([otherProvider.status, (await otherProvider.json()).error.message]).toEqual([
      403,
      expect.stringMatching(/example\.com is not one of example\.org/),
    ]);
    const cannotDelete = await call("/api/articles/2022-09-10-sent-over-http", {
      method: "DELETE",
    });
    expect(cannotDelete.status).toBe(403);
    expect(files()).toEqual(before);
  });

  it("keeps every path trick out of the file system", async () => {
    const before = files();
    const outside = readdirSync(work).sort();
    for (const key of [
      "..",
      "%2E%2E",
      "..%2Fescaped",
      "a%2Fb",
      "a%00b",
      ".hidden",
      "a%5Cb",
      "-leading",
      "x".repeat(201),
    ]) {
      const response = await putJson(key, ARTICLE);
      expect(response.status, key).toBeGreaterThanOrEqual(400);
      expect(response.status, key).toBeLessThan(500);
    }
    expect(files()).toEqual(before);
    expect(readdirSync(work).sort()).toEqual(outside);
  });

  it("lets one of two concurrent replaces of one version win, whole, and refuses the other", async () => {
    const key = "2022-09-10-sent-over-http";
    const { etag } = await (await call(`/api/articles/${key}`)).json();
    const titles = ["First of two", "Second of two"];
    const answers = await Promise.all(
      titles.map((title) => putJson(key, { ...ARTICLE, title }, { headers: { "If-Match": etag } })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
    const winner = titles[answers.findIndex((answer) => answer.status === 200)];
    expect(
      parseArticleFile(`${key}.md`, readFileSync(join(dir, `${key}.md`), "utf8")).article?.title,
    ).toBe(winner);
    expect(files().filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("applies a batch all or nothing, and a batch sent again changes nothing", async () => {
    const batch = {
      put: [1, 2, 3].map((n) => ({
        key: `2022-09-0${n}-batched`,
        article: { ...ARTICLE, title: `Batched ${n}`, webUrl: `https://example.com/batched-${n}` },
      })),
      delete: ["2022-09-10-sent-over-http"],
    };
    const post = (body: unknown, token: keyof typeof SECRETS = "crawler") =>
      call("/api/articles", {
        method: "POST",
        body: JSON.stringify(body),
        token,
        headers: { "Content-Type": "application/json" },
      });
    // The crawler may not delete: the whole batch is refused.
    const before = files();
    expect((await post(batch)).status).toBe(403);
    const invalid = await post({
      put: [...batch.put, { key: "2022-09-04-batched", article: { title: "" } }],
    });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).error.problems[0].key).toBe("2022-09-04-batched");
    // The last write cannot be made (a folder has its name): none of the others is.
    mkdirSync(join(dir, "2022-09-05-blocked.md"));
    const blocked = await post({
      put: [...batch.put, { key: "2022-09-05-blocked", article: ARTICLE }],
    });
    expect(blocked.status).toBe(500);
    rmSync(join(dir, "2022-09-05-blocked.md"), { recursive: true });
    expect(files()).toEqual(before);

    const puts = { put: batch.put };
    const applied = await post(puts);
    expect(applied.status).toBe(200);
    expect((await applied.json()).results.map((entry: { result: string }) => entry.result)).toEqual(
      ["created", "created", "created"],
    );
    const resent = await post(puts);
    expect((await resent.json()).results.map((entry: { result: string }) => entry.result)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    const removed = await post(
      { delete: ["2022-09-10-sent-over-http", "2022-09-10-sent-over-http-never"] },
      "janitor",
    );
    expect((await removed.json()).results.map((entry: { result: string }) => entry.result)).toEqual(
      ["deleted", "absent"],
    );
    await until(async () => {
      const body = await feed();
      return body.includes("Batched 3") && !body.includes("of two");
    });
    const listed = await (await call("/api/articles")).json();
    expect(listed.articles.map((entry: { key: string }) => entry.key)).toContain(
      "2022-09-02-batched",
    );
  });

  it("deletes with the delete scope, then answers 404 for it", async () => {
    const gone = await call("/api/articles/2022-09-01-batched", {
      method: "DELETE",
      token: "janitor",
    });
    expect(gone.status).toBe(204);
    expect(files()).not.toContain("2022-09-01-batched.md");
    expect(
      (await call("/api/articles/2022-09-01-batched", { method: "DELETE", token: "janitor" }))
        .status,
    ).toBe(404);
    expect((await call("/api/articles/2022-09-01-batched")).status).toBe(404);
  });
});

describe("API_TOKENS", () => {
  it("is refused at start when an entry is malformed, naming the entry but never its secret", () => {
    const refused = (value: string) => {
      try {
        loadApiConfig({ API_TOKENS: value });
        return "";
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
    };
    expect(refused("crawler:create:short")).toMatch(
      /entry 1 \(crawler\): the secret must be 24 characters or more, got 5/,
    );
    expect(refused(`crawler:publish:${SECRETS.crawler}`)).toMatch(
      /no scope "publish"; scopes are create, update, delete/,
    );
    expect(refused(`a:create:${SECRETS.crawler} a:delete:${SECRETS.janitor}`)).toMatch(
      /"a" is given twice/,
    );
    expect(refused("just-a-secret-with-no-name-at-all")).toMatch(/must be name:scopes:secret/);
    for (const message of [
      refused("crawler:create:short"),
      refused(`crawler:publish:${SECRETS.crawler}`),
    ])
      expect(message).not.toContain(SECRETS.crawler);
    expect(loadApiConfig({}).tokens).toEqual([]);
  });

  it("without any, the API is the plain 404 of an unknown address", async () => {
    const live = await startLiveSite({
      dir: FIXTURES,
      config: loadConfig({ PUBLIC_URL: ORIGIN }),
      env: { DATA_WATCH: "false", STATE_DIR: join(work, "state-off"), FEEDLOOM_CACHE_DIR: "off" },
    });
    try {
      const answer = async (path: string, method = "GET") => {
        const response = await live.fetch(
          new Request(`${ORIGIN}${path}`, {
            method,
            headers: { Authorization: `Bearer ${SECRETS.crawler}`, Accept: "application/json" },
          }),
        );
        return [response.status, (await response.text()).replace(/nothing-here/g, "api/articles")];
      };
      expect(await answer("/api/articles/x")).toEqual(await answer("/nothing-here/x"));
      expect(await answer("/api/articles/x", "PUT")).toEqual(
        await answer("/nothing-here/x", "PUT"),
      );
      expect((await answer("/api/articles/x"))[0]).toBe(404);
    } finally {
      live.close();
    }
  });

  it("limits each token's writes per minute, with Retry-After", async () => {
    const limited = join(work, "limited");
    cpSync(FIXTURES, limited, { recursive: true });
    const live = await startLiveSite({
      dir: limited,
      config: loadConfig({ PUBLIC_URL: ORIGIN }),
      env: {
        API_TOKENS,
        API_RATE_LIMIT: "2",
        DATA_WATCH: "false",
        STATE_DIR: join(work, "state2"),
      },
    });
    try {
      const statuses: number[] = [];
      for (let n = 0; n < 3; n++) {
        const response = await live.fetch(
          new Request(`${ORIGIN}/api/articles/2022-09-10-limit-${n}`, {
            method: "PUT",
            body: JSON.stringify({ ...ARTICLE, webUrl: `https://example.com/limit-${n}` }),
            headers: {
              Authorization: `Bearer ${SECRETS.crawler}`,
              "Content-Type": "application/json",
            },
          }),
        );
        statuses.push(response.status);
        if (response.status === 429)
          expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      live.close();
    }
  });
});

describe("a real server process", () => {
  it(
    "puts an article sent over HTTP in /feed.rss within seconds, and logs the write in one line without the secret",
    { timeout: PROCESS_TEST_TIMEOUT },
    async () => {
      const folder = join(work, "served");
      cpSync(FIXTURES, folder, { recursive: true });
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli/bin.ts", "serve", folder, "--port", String(port)],
        {
          env: {
            ...process.env,
            API_TOKENS,
            FEEDLOOM_CACHE_DIR: "off",
            STATE_DIR: join(work, "state3"),
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      try {
        // Not the PUBLIC_URL warning ("before serving the public"): the line that says it listens.
        await until(async () => /feedloom: serving http/.test(output), PROCESS_TEST_TIMEOUT / 2);
        const sent = await fetch(`${origin}/api/articles/2022-09-10-from-a-pipeline`, {
          method: "PUT",
          body: JSON.stringify({ ...ARTICLE, title: "From a pipeline" }),
          headers: {
            Authorization: `Bearer ${SECRETS.crawler}`,
            "Content-Type": "application/json",
          },
        });
        expect(sent.status).toBe(201);
        const started = Date.now();
        // Within a second on an idle machine; a busy one gets more.
        await until(async () =>
          (await (await fetch(`${origin}/feed.rss`)).text()).includes("From a pipeline"),
        );
        expect(Date.now() - started).toBeLessThan(10_000);
        await until(async () =>
          output.includes("feedloom api: crawler PUT 2022-09-10-from-a-pipeline created"),
        );
        // Refused writes are logged too: one with a wrong secret, one with an invalid article.
        const wrong = await fetch(`${origin}/api/articles/2022-09-10-refused`, {
          method: "PUT",
          body: JSON.stringify(ARTICLE),
          headers: {
            Authorization: "Bearer not-a-secret-of-api-tokens",
            "Content-Type": "application/json",
          },
        });
        expect(wrong.status).toBe(401);
        const invalid = await fetch(`${origin}/api/articles/2022-09-10-invalid`, {
          method: "PUT",
          body: JSON.stringify({ ...ARTICLE, webUrl: "not a url" }),
          headers: {
            Authorization: `Bearer ${SECRETS.crawler}`,
            "Content-Type": "application/json",
          },
        });
        expect(invalid.status).toBe(422);
        await until(async () =>
          /feedloom api: crawler PUT \/api\/articles\/2022-09-10-invalid refused 422/.test(output),
        );
        expect(output).toMatch(
          /feedloom api: \(no valid token\) PUT \/api\/articles\/2022-09-10-refused refused 401/,
        );
        expect(output).not.toContain(SECRETS.crawler);
        expect(output).not.toContain("not-a-secret-of-api-tokens");
      } finally {
        child.kill();
      }
    },
  );
});
