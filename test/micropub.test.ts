/**
 * Micropub (https://www.w3.org/TR/micropub/) on Node: the Recommendation's
 * own request examples, form-encoded and JSON, made bookmark posts (the one
 * kind a news feed holds), and what each leaves in the data folder.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { parseArticleFile } from "../src/content/parse.js";
import { type LiveSite, startLiveSite } from "../src/entry/live-site.js";
import { FIXTURES } from "./helpers.js";

const ORIGIN = "https://feeds.example.com";
const SECRET = "micropub-secret-of-thirty-two-chars";
const work = mkdtempSync(join(tmpdir(), "feedloom-micropub-"));
const dir = join(work, "data");
let site: LiveSite;

const micropub = (init: RequestInit & { query?: string; auth?: boolean } = {}) => {
  const headers = new Headers(init.headers);
  if (init.auth !== false) headers.set("Authorization", `Bearer ${SECRET}`);
  return site.fetch(new Request(`${ORIGIN}/micropub${init.query ?? ""}`, { ...init, headers }));
};
const form = (fields: [string, string][], auth = true) =>
  micropub({
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    auth,
  });
const jsonPost = (body: unknown) =>
  micropub({
    method: "POST",
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  });
const article = (key: string) => {
  const parsed = parseArticleFile(`${key}.md`, readFileSync(join(dir, `${key}.md`), "utf8"));
  expect(parsed.issues.filter((issue) => issue.severity === "error")).toEqual([]);
  return parsed.article!;
};
const keyOf = (location: string | null) => decodeURIComponent(location!.split("/api/articles/")[1]);

beforeAll(async () => {
  cpSync(FIXTURES, dir, { recursive: true });
  site = await startLiveSite({
    dir,
    config: loadConfig({ PUBLIC_URL: ORIGIN }),
    env: {
      API_TOKENS: `quill:create,update,delete:${SECRET}`,
      DATA_WATCH: "false",
      STATE_DIR: join(work, "state"),
      FEEDLOOM_CACHE_DIR: "off",
    },
  });
});
afterAll(() => {
  site.close();
  rmSync(work, { recursive: true, force: true });
});

describe("Micropub", () => {
  it("is advertised on the home page with rel=micropub, and answers q=config", async () => {
    const home = await (
      await site.fetch(new Request(`${ORIGIN}/`, { headers: { Accept: "text/html" } }))
    ).text();
    expect(home).toContain(`<link rel="micropub" href="${ORIGIN}/micropub"/>`);
    const config = await micropub({ query: "?q=config" });
    expect(config.status).toBe(200);
    expect(await config.json()).toEqual({
      "syndicate-to": [],
      "post-types": [{ type: "bookmark", name: "Bookmark" }],
    });
    expect((await micropub({ query: "?q=config", auth: false })).status).toBe(401);
  });

  it("creates from a form (3.3.1), the token in the body, categories as category[]", async () => {
    const created = await form(
      [
        ["h", "entry"],
        ["name", "Hello world"],
        ["content", "hello world"],
        ["bookmark-of", "https://www.example.com/articles/hello"],
        ["category[]", "foo"],
        ["category[]", "bar"],
        ["published", "2022-09-10T08:00:00Z"],
        ["access_token", SECRET],
      ],
      false,
    );
    expect(created.status).toBe(201);
    const key = keyOf(created.headers.get("location"));
    expect(key).toBe("2022-09-10-hello-world");
    const written = article(key);
    expect(written).toMatchObject({
      title: "Hello world",
      summary: "hello world",
      url: "https://www.example.com/articles/hello",
      provider: { name: "example.com", domain: "example.com" },
      topics: ["foo", "bar"],
      published: "2022-09-10T08:00:00Z",
    });
  });

  it("creates from JSON (3.3.2), with a photo and mp-slug", async () => {
    const created = await jsonPost({
      type: ["h-entry"],
      properties: {
        name: ["A photo of the launch"],
        content: [{ html: "<p>hello <b>world</b></p>" }],
        "bookmark-of": ["https://news.example.org/launch"],
        category: ["foo", "bar"],
        photo: ["https://photos.example.com/592829482876343254.jpg"],
        published: ["2022-09-09T10:00:00Z"],
        "mp-slug": ["launch"],
        "provider-name": ["Example News"],
      },
    });
    expect(created.status).toBe(201);
    const key = keyOf(created.headers.get("location"));
    expect(key).toBe("2022-09-09-launch");
    expect(article(key)).toMatchObject({
      title: "A photo of the launch",
      summary: "hello world",
      provider: { name: "Example News", domain: "news.example.org" },
      image: { url: "https://photos.example.com/592829482876343254.jpg" },
    });
    const source = await micropub({
      query: `?q=source&url=${encodeURIComponent(created.headers.get("location")!)}`,
    });
    expect(await source.json()).toMatchObject({
      type: ["h-entry"],
      properties: {
        name: ["A photo of the launch"],
        "bookmark-of": ["https://news.example.org/launch"],
        category: ["foo", "bar"],
      },
    });
    const some = await micropub({
      query: `?q=source&url=${encodeURIComponent("https://news.example.org/launch")}&properties[]=category`,
    });
    expect(await some.json()).toEqual({ properties: { category: ["foo", "bar"] } });
  });

  it("updates (3.4): replace, add, delete values, delete a property; by the post's URL or the article's", async () => {
    const url = `${ORIGIN}/api/articles/2022-09-10-hello-world`;
    const update = (body: object) => jsonPost({ action: "update", url, ...body });
    expect((await update({ replace: { content: ["hello moon"] } })).status).toBe(204);
    expect(article("2022-09-10-hello-world").summary).toBe("hello moon");
    expect((await update({ add: { category: ["indieweb"] } })).status).toBe(204);
    expect(article("2022-09-10-hello-world").topics).toEqual(["foo", "bar", "indieweb"]);
    expect((await update({ delete: { category: ["indieweb"] } })).status).toBe(204);
    expect(article("2022-09-10-hello-world").topics).toEqual(["foo", "bar"]);
    const byWebUrl = await jsonPost({
      action: "update",
      url: "https://www.example.com/articles/hello",
      delete: ["category"],
    });
    expect(byWebUrl.status).toBe(204);
    expect(article("2022-09-10-hello-world").topics).toEqual([]);
  });

  it("refuses what it cannot publish with invalid_request, and writes nothing", async () => {
    const before = readdirSync(dir).sort();
    const noBookmark = await form([
      ["h", "entry"],
      ["content", "hello world"],
    ]);
    expect(noBookmark.status).toBe(400);
    expect(await noBookmark.json()).toEqual({
      error: "invalid_request",
      error_description: expect.stringMatching(/bookmark-of/),
    });
    const noName = await form([
      ["h", "entry"],
      ["bookmark-of", "https://example.com/x"],
    ]);
    expect([noName.status, (await noName.json()).error]).toEqual([400, "invalid_request"]);
    const notEntry = await jsonPost({ type: ["h-event"], properties: {} });
    expect(notEntry.status).toBe(400);
    const wrongToken = await micropub({
      method: "POST",
      body: "h=entry",
      headers: {
        Authorization: "Bearer no-such-token-anywhere-at-all",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      auth: false,
    });
    expect([wrongToken.status, (await wrongToken.json()).error]).toEqual([401, "unauthorized"]);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("deletes (3.5) from a form and from JSON", async () => {
    expect(
      (
        await form([
          ["action", "delete"],
          ["url", `${ORIGIN}/api/articles/2022-09-10-hello-world`],
        ])
      ).status,
    ).toBe(204);
    expect(readdirSync(dir)).not.toContain("2022-09-10-hello-world.md");
    expect(
      (await jsonPost({ action: "delete", url: "https://news.example.org/launch" })).status,
    ).toBe(204);
    expect(readdirSync(dir)).not.toContain("2022-09-09-launch.md");
  });
});
