/**
 * Federation on a Worker, in workerd with local D1 (`npm run dev` in a copy
 * of the project, its D1 block uncommented), against Fedify as the
 * follower's server, over real HTTP on loopback: WebFinger, the actor, a
 * Follow answered by a signed Accept, and a Create after `publish` sends a
 * new article file to D1, after a PUT to the publishing API, and a Delete
 * after publish removes one. Fedify verifies each signature with the key it
 * fetches from the Worker.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { lookupWebFinger, type Actor } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, copyWorkerProject, startDev, uncommentD1Block } from "./dev-project.js";
import { federatedArticle, followerServer } from "./fedify-follower.js";
import { PROCESS_TEST_TIMEOUT, freePort } from "./helpers.js";

const project = copyWorkerProject("feedloom-federation-worker-");
const run = promisify(execFile);
const npm = (...args: string[]) =>
  run("npm", args, { cwd: project, env: { ...process.env, FEEDLOOM_CACHE_DIR: "off" } });
const STATS_TOKEN = "a-statistics-token-of-32-characters";
const API_SECRET = "an-api-secret-of-thirty-two-chars";

let dev: DevServer | undefined;
let origin: string;
let follower: Awaited<ReturnType<typeof followerServer>>;

beforeAll(async () => {
  const toml = join(project, "wrangler.toml");
  writeFileSync(toml, uncommentD1Block(readFileSync(toml, "utf8")));
  await npm("run", "migrate:d1", "--", "--local");
  await npm("run", "publish:d1");
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const vars = {
    FEDERATION: "on",
    PUBLIC_URL: origin,
    FEDERATION_ALLOW_INSECURE: "true",
    STATS_TOKEN,
    API_TOKENS: `pipeline:create,update,delete:${API_SECRET}`,
  };
  dev = await startDev(
    project,
    port,
    Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  );
  follower = await followerServer(await freePort());
}, 4 * PROCESS_TEST_TIMEOUT);

afterAll(async () => {
  await dev?.stop();
  follower?.server.close();
  rmSync(project, { recursive: true, force: true });
});

/** A new article saved in data/ and sent to local D1 as the guide says; then a reader's request. */
async function publishFile(slug: string, text?: string): Promise<void> {
  const file = join(project, "data", `2026-12-02-${slug}.md`);
  if (text === undefined) unlinkSync(file);
  else writeFileSync(file, text);
  await npm("run", "publish:d1");
  // The first request that sees the new content version starts the round (the cron would too).
  expect((await fetch(`${origin}/feed.rss`)).status).toBe(200);
}

describe(
  "an ActivityPub account per feed on a Worker with D1, as Fedify sees it",
  { timeout: 4 * PROCESS_TEST_TIMEOUT },
  () => {
    let account: Actor;

    it("finds the topic's account by WebFinger, and its actor on the topic's page", async () => {
      const byHandle = await (
        await fetch(`${origin}/.well-known/webfinger?resource=acct:ai@${new URL(origin).host}`)
      ).json();
      expect(byHandle.subject).toBe(`acct:ai@${new URL(origin).host}`);
      // Fedify's own lookup, by the actor's URL (by handle it would ask over https).
      const jrd = await lookupWebFinger(`${origin}/topics/ai/`, { allowPrivateAddress: true });
      const self = jrd?.links?.find((link) => link.rel === "self");
      expect(self?.href).toBe(`${origin}/topics/ai/`);
      const ctx = follower.federation.createContext(new URL(follower.origin), undefined);
      const found = await ctx.lookupObject(self!.href!);
      expect(found?.constructor.name).toBe("Service");
      account = found as Actor;
      expect(account.id?.href).toBe(`${origin}/topics/ai/`);
      expect(account.preferredUsername).toBe("ai");
      expect((await account.getPublicKey())?.ownerId?.href).toBe(`${origin}/topics/ai/`);
      const actor = await fetch(`${origin}/topics/ai/`, {
        headers: { accept: "application/activity+json" },
      });
      expect(actor.headers.get("vary")).toMatch(/\bAccept\b/);
      expect(JSON.stringify(await actor.json())).not.toMatch(/PRIVATE KEY|"d":/);
      const page = await fetch(`${origin}/topics/ai/`, { headers: { accept: "text/html" } });
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    });

    it("accepts a signed Follow with a signed Accept that Fedify verifies", async () => {
      await follower.follow(account);
      const accept = await follower.until(
        () => follower.received.find((activity) => activity.type === "Accept"),
        "the Accept",
      );
      expect(accept.object).toBe(`${follower.origin}/follows/1`);
      expect((await (await fetch(`${origin}/ap/ai/followers`)).json()).totalItems).toBe(1);
      const stats = await fetch(`${origin}/stats.json`, {
        headers: { authorization: `Bearer ${STATS_TOKEN}` },
      });
      expect((await stats.json()).followers).toEqual({ ai: 1 });
    });

    it("posts an article publish sent to D1 as one Create, and its removal as a Delete", async () => {
      await publishFile(
        "published",
        federatedArticle("published", "Published to D1", new Date(Date.now() - 60_000)),
      );
      const create = await follower.until(
        () => follower.received.find((activity) => activity.name === "Published to D1"),
        "the Create",
      );
      expect(create.type).toBe("Create");
      expect(create.object).toMatch(new RegExp(`^${origin}/ap/ai/articles/`));
      const post = await fetch(create.object!, {
        headers: { accept: "application/activity+json" },
      });
      expect((await post.json()).name).toBe("Published to D1");

      await publishFile("published");
      const removal = await follower.until(
        () => follower.received.find((activity) => activity.type === "Delete"),
        "the Delete",
      );
      expect(removal.object).toBe(create.object);
      expect(follower.received.filter((activity) => activity.type === "Create")).toHaveLength(1);
    });

    it("posts an article sent through the publishing API, and a scheduled one at its time", async () => {
      const put = await fetch(`${origin}/api/articles/2026-12-02-by-api`, {
        method: "PUT",
        headers: { authorization: `Bearer ${API_SECRET}`, "content-type": "text/markdown" },
        body: federatedArticle("by-api", "Sent by the pipeline", new Date(Date.now() - 60_000)),
      });
      expect(put.status).toBe(201);
      const create = await follower.until(
        () => follower.received.find((activity) => activity.name === "Sent by the pipeline"),
        "the API article's Create",
      );
      expect(create.type).toBe("Create");

      const at = new Date(Math.ceil((Date.now() + 3_000) / 1000) * 1000);
      const scheduled = await fetch(`${origin}/api/articles/2026-12-02-scheduled`, {
        method: "PUT",
        headers: { authorization: `Bearer ${API_SECRET}`, "content-type": "text/markdown" },
        body: federatedArticle("scheduled", "Out at its time", at),
      });
      expect(scheduled.status).toBe(201);
      // Readers keep asking; the first request after its time sees a new content version.
      const polling = setInterval(() => void fetch(`${origin}/feed.rss`).catch(() => {}), 500);
      try {
        await follower.until(
          () => follower.received.find((activity) => activity.name === "Out at its time"),
          "the scheduled Create",
        );
      } finally {
        clearInterval(polling);
      }
      // Not a moment before its time (a second's slack: dates count in whole seconds).
      expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 1000);
    });

    it("ends the follow on Undo", async () => {
      await follower.follow(account, true);
      expect((await (await fetch(`${origin}/ap/ai/followers`)).json()).totalItems).toBe(0);
    });
  },
);
