/** Shared test helpers: fixtures, a strict XML parser and real feed parsers. */
import { parseFeed } from "@rowanmanning/feed-parser";
import { HtmlValidate } from "html-validate";
import { SaxesParser } from "saxes";
import { v5 as uuidv5 } from "uuid";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "../src/config.js";
import {
  type Federation,
  type FederationOptions,
  ephemeralFederation,
} from "../src/federation/federation.js";
import type { ParsedFile } from "../src/content/parse.js";
import type { FederationState } from "../src/federation/state.js";
import { buildIndex } from "../src/index/index.js";
import { createApp } from "../src/http/app.js";
import { createMemoryStore } from "../src/index/store.js";
import { readArticleDir } from "../src/sources/fs-source.js";

/** The instant the tests publish at: fixed, so the same data gives the same bytes on every run. */
export const TEST_NOW = Date.parse("2026-11-28T12:00:00Z");

export const FIXTURES = fileURLToPath(new URL("./fixtures/articles/", import.meta.url));
export const BROKEN = fileURLToPath(new URL("./fixtures/broken/", import.meta.url));

/** The good and the broken fixtures together, as one data folder would hold them. */
export async function loadFixtureFiles(): Promise<ParsedFile[]> {
  return [...(await readArticleDir(FIXTURES)), ...(await readArticleDir(BROKEN))];
}

/**
 * The id an article has in the feed at `feedPath` (`/feed`, `/topics/ai/feed`):
 * its own in the feed of everything, else a v5 UUID of the feed's path named
 * in the article's UUID, as docs/subscribe.md promises.
 */
export function idInFeed(feedPath: string, article: { id: string }): string {
  return feedPath === "/feed"
    ? article.id
    : `urn:uuid:${uuidv5(feedPath, article.id.slice("urn:uuid:".length))}`;
}

/** Articles around DST changes and with ranking signals, for digests (see digest.test.ts). */
export const DIGEST_FIXTURES = fileURLToPath(new URL("./fixtures/digest/", import.meta.url));

export async function fixtureApp(env: Record<string, string> = {}, extraDirs: string[] = []) {
  const files = [
    ...(await loadFixtureFiles()),
    ...(await Promise.all(extraDirs.map((dir) => readArticleDir(dir)))).flat(),
  ];
  const config = loadConfig({ SITE_ICON: "https://everyday-cc.github.io/ai/icon.png", ...env });
  const index = buildIndex(
    files.flatMap((file) => (file.article ? [file.article] : [])),
    config,
  );
  const store = createMemoryStore(index, "test", { now: () => TEST_NOW });
  return { app: createApp({ store, config }), index, store, config, files };
}

/** A request that follows redirects within the app, as a feed reader does (at most five). */
export async function requestFollowing(
  app: { request(path: string, init?: RequestInit): Response | Promise<Response> },
  path: string,
  init?: RequestInit,
) {
  let response = await app.request(path, init);
  for (let hops = 0; hops < 5 && response.status >= 301 && response.status <= 308; hops++) {
    response = await app.request(
      new URL(response.headers.get("location")!, `http://localhost${path}`).href,
      init,
    );
  }
  return response;
}

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses with saxes (strict XML 1.0 + namespaces): any well-formedness error throws. */
export function parseXmlStrict(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const root: XmlNode = { name: "#document", attributes: {}, children: [], text: "" };
  const stack: XmlNode[] = [root];
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (tag) => {
    const attributes: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes))
      attributes[name] = typeof attribute === "string" ? attribute : attribute.value;
    const node: XmlNode = { name: tag.name, attributes, children: [], text: "" };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on("text", (text) => {
    stack[stack.length - 1].text += text;
  });
  parser.on("cdata", (text) => {
    stack[stack.length - 1].text += text;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  return root.children[0];
}

export function children(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((child) => child.name === name);
}

export function child(node: XmlNode, name: string): XmlNode {
  const found = children(node, name)[0];
  if (!found) throw new Error(`<${node.name}> has no <${name}>`);
  return found;
}

/** html-validate with the HTML standard's rules, its accessibility rules, and heading levels in order. */
export const htmlValidator = new HtmlValidate({
  extends: ["html-validate:standard", "html-validate:a11y"],
  rules: { "heading-level": "error" },
});

/** What htmlValidator finds in a page, one line per message; none means it passed. */
export async function htmlProblems(html: string): Promise<string[]> {
  const report = await htmlValidator.validateString(html);
  return report.results.flatMap((result) =>
    result.messages.map(
      (message) => `${message.line}:${message.column} ${message.ruleId}: ${message.message}`,
    ),
  );
}

/** @rowanmanning/feed-parser: a maintained, resilient RSS/Atom parser, as a reader would use. */
export function parseWithFeedParser(xml: string) {
  return parseFeed(xml);
}

const execFileAsync = promisify(execFile);

/** A test that starts a Node process (tsx compiles on start): seconds on a busy machine, not milliseconds. */
export const PROCESS_TEST_TIMEOUT = 60_000;

/**
 * Runs `feedloom COMMAND` from source as `npm run` would, with the parse cache off unless the caller sets it.
 * A child that hangs is stopped well before the test's own timeout, so that the failure carries
 * what it wrote to stderr (execFile puts it in the error's message) instead of a bare timeout.
 */
export function runCli(command: string, args: string[] = [], env: Record<string, string> = {}) {
  return execFileAsync(process.execPath, ["--import", "tsx", "src/cli/bin.ts", command, ...args], {
    env: { ...process.env, FEEDLOOM_CACHE_DIR: "off", ...env },
    timeout: PROCESS_TEST_TIMEOUT / 2,
  });
}

/** A hub that records each POST's hub.url values, answering with `status`. */
export function recordingHub() {
  const posts: string[][] = [];
  let status = 204;
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const form = new URLSearchParams(body);
      if (form.get("hub.mode") === "publish") posts.push(form.getAll("hub.url"));
      response
        .writeHead(status, { "Content-Type": "text/plain" })
        .end(status >= 400 ? "hub is having a bad day" : "");
    });
  });
  return {
    posts,
    server,
    failWith: (code: number) => void (status = code),
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`,
  };
}

/** A port nothing listens on now, for a server process the test starts. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((done) => server.once("listening", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Federation in memory (tests), fetching through `fetcher`: by default none, every fetch is refused. */
export function testFederation(
  config: Config,
  options: Partial<Pick<FederationOptions, "fetcher" | "policy" | "now" | "log">> = {},
): Promise<Federation<FederationState>> {
  return ephemeralFederation({
    config: { ...config, publicUrl: config.publicUrl ?? "https://example.com" },
    fetcher: async (url) => Promise.reject(new Error(`no fetch in this test: ${url}`)),
    ...options,
  });
}
