/**
 * Federation against an independent implementation: Fedify (1.5, which runs
 * on Node 20) plays a follower's server, with its own WebFinger lookup, its
 * own parsing of our actor, and its own verification of every signature we
 * send. feedloom runs as the live server does, over real HTTP on loopback
 * (FEDERATION_ALLOW_INSECURE=true), with its data folder watched: an article
 * saved, edited and removed reaches the follower as Create, Update and Delete.
 */
import { type Server, createServer } from "node:http";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lookupWebFinger, type Actor } from "@fedify/fedify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type LiveSite, startLiveSite } from "../src/entry/live-site.js";
import { federatedArticle, followerServer } from "./fedify-follower.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT, freePort } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "feedloom-federation-"));
const data = join(work, "data");

/** The live server as `feedloom serve` runs it: its fast path in front of the app. */
function listenLive(site: LiveSite, port: number): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer(site.listener).listen(port, "127.0.0.1", () => resolve(server));
  });
}

const STATS_TOKEN = "a-statistics-token-of-32-characters";
const API_SECRET = "an-api-secret-of-thirty-two-chars";
let site: LiveSite;
let ours: Server;
let origin: string;
let follower: Awaited<ReturnType<typeof followerServer>>;

beforeAll(async () => {
  cpSync(FIXTURES, data, { recursive: true });
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  const env = {
    PUBLIC_URL: origin,
    FEDERATION: "on",
    FEDERATION_ALLOW_INSECURE: "true",
    STATS_TOKEN,
    API_TOKENS: `pipeline:create,update,delete:${API_SECRET}`,
    STATE_DIR: join(work, "state"),
    FEEDLOOM_CACHE_DIR: "off",
    DATA_RESCAN_SECONDS: "1",
  };
  site = await startLiveSite({ dir: data, config: loadConfig(env), env });
  ours = await listenLive(site, port);
  follower = await followerServer(await freePort());
}, PROCESS_TEST_TIMEOUT);

afterAll(() => {
  site?.close();
  ours?.close();
  follower?.server.close();
  rmSync(work, { recursive: true, force: true });
});

// Each step waits on a file reload, a delivery or a scheduled time: a process test's time, not 5 s.
describe(
  "an ActivityPub account per feed, as Fedify sees it",
  { timeout: PROCESS_TEST_TIMEOUT },
  () => {
    let account: Actor;

    it("finds the topic's account by WebFinger, by its handle and by its URL", async () => {
      const byHandle = await (
        await fetch(
          `${origin}/.well-known/webfinger?resource=acct:ai@127.0.0.1:${new URL(origin).port}`,
        )
      ).json();
      expect(byHandle.subject).toBe(`acct:ai@${new URL(origin).host}`);
      const jrd = await lookupWebFinger(`${origin}/topics/ai/`, { allowPrivateAddress: true });
      const self = jrd?.links?.find((link) => link.rel === "self");
      expect(self?.href).toBe(`${origin}/topics/ai/`);
      const ctx = follower.federation.createContext(new URL(follower.origin), undefined);
      const found = await ctx.lookupObject(self!.href!);
      expect(found?.constructor.name).toBe("Service");
      account = found as Actor;
      expect(account.preferredUsername).toBe("ai");
      expect((await account.getPublicKey())?.ownerId?.href).toBe(`${origin}/topics/ai/`);
    });

    it("serves the page to browsers and the actor to servers, with Vary: Accept on both", async () => {
      const page = await fetch(`${origin}/topics/ai/`, { headers: { accept: "text/html" } });
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("vary")).toMatch(/\bAccept\b/);
      const actor = await fetch(`${origin}/topics/ai/`, {
        headers: { accept: "application/activity+json" },
      });
      expect(actor.headers.get("content-type")).toMatch(/^application\/activity\+json/);
      expect(actor.headers.get("vary")).toMatch(/\bAccept\b/);
      expect(JSON.stringify(await actor.json())).not.toMatch(/PRIVATE KEY|"d":/);
    });

    it("accepts a signed Follow with a signed Accept that Fedify verifies", async () => {
      // Asked once before: the count must change with the follow, not wait for the content to change.
      expect((await (await fetch(`${origin}/ap/ai/followers`)).json()).totalItems).toBe(0);
      await follower.follow(account);
      const accept = await follower.until(
        () => follower.received.find((activity) => activity.type === "Accept"),
        "the Accept",
      );
      expect(accept.object).toBe(`${follower.origin}/follows/1`);
      const followers = await (await fetch(`${origin}/ap/ai/followers`)).json();
      expect(followers.totalItems).toBe(1);
      expect(followers).not.toHaveProperty("orderedItems");
      // The operator's statistics count them per account.
      const stats = await fetch(`${origin}/stats.json`, {
        headers: { authorization: `Bearer ${STATS_TOKEN}` },
      });
      expect((await stats.json()).followers).toEqual({ ai: 1 });
    });

    it("refuses an unsigned activity with 401", async () => {
      const response = await fetch(`${origin}/ap/inbox`, {
        method: "POST",
        headers: { "content-type": "application/activity+json" },
        body: JSON.stringify({
          type: "Follow",
          actor: `${follower.origin}/users/alice`,
          object: `${origin}/topics/ai/`,
        }),
      });
      expect(response.status).toBe(401);
      expect((await response.json()).error).toMatch(/not signed/);
    });

    it("posts a saved article as one Create, an edit as an Update, a removal as a Delete", async () => {
      const file = join(data, "2026-12-02-federated.md");
      writeFileSync(
        file,
        federatedArticle("federated", "A federated story", new Date(Date.now() - 60_000)),
      );
      const create = await follower.until(
        () => follower.received.find((activity) => activity.type === "Create"),
        "the Create",
      );
      expect(create.name).toBe("A federated story");
      expect(create.object).toMatch(new RegExp(`^${origin}/ap/ai/articles/`));
      const post = await fetch(create.object!, {
        headers: { accept: "application/activity+json" },
      });
      expect((await post.json()).name).toBe("A federated story");

      writeFileSync(
        file,
        federatedArticle(
          "federated",
          "A federated story, corrected",
          new Date(Date.now() - 60_000),
        ),
      );
      const update = await follower.until(
        () => follower.received.find((activity) => activity.type === "Update"),
        "the Update",
      );
      expect(update.name).toBe("A federated story, corrected");

      unlinkSync(file);
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
      await follower.until(
        () => follower.received.find((activity) => activity.name === "Sent by the pipeline"),
        "the API article's Create",
      );

      const at = new Date(Math.ceil((Date.now() + 3_000) / 1000) * 1000);
      writeFileSync(
        join(data, "2026-12-02-scheduled.md"),
        federatedArticle("scheduled", "Out at its time", at),
      );
      await follower.until(
        () => follower.received.find((activity) => activity.name === "Out at its time"),
        "the scheduled Create",
      );
      // Not a moment before its time (a second's slack: dates count in whole seconds).
      expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 1000);
    });

    it("ends the follow on Undo", async () => {
      await follower.follow(account, true);
      const deadline = Date.now() + 10_000;
      let count = 1;
      while (count !== 0 && Date.now() < deadline) {
        count = (await (await fetch(`${origin}/ap/ai/followers`)).json()).totalItems;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(count).toBe(0);
    });
  },
);
