/**
 * Delivery as a follower's servers see it, over real HTTP on loopback: one
 * copy per shared inbox, retries past 500s and timeouts that end in exactly
 * one post, and what the inbox refuses (an old date, a body too large, a
 * request signed by someone else, a blocked domain). Outgoing requests go
 * through the public-only fetch, which refuses private addresses and plain
 * http unless told otherwise.
 */
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Article } from "../src/content/article.js";
import { publicOnlyFetch } from "../src/federation/node-fetch.js";
import { federationRoutes } from "../src/federation/routes.js";
import {
  importPublicKey,
  publicKeyPem,
  signRequest,
  verifyRequest,
} from "../src/federation/signatures.js";
import { createApp } from "../src/http/app.js";
import { fixtureApp, testFederation } from "./helpers.js";

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP server standing for many follower servers: each path prefix is one. */
function followerServers(answer: (request: IncomingMessage, attempt: number) => number | "hang") {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const attempt = (attempts.get(request.url!) ?? 0) + 1;
      attempts.set(request.url!, attempt);
      const status = answer(request, attempt);
      if (status === "hang") return; // never answers: the deliverer's timeout ends the attempt
      if (status < 300)
        received.push({
          path: request.url!,
          headers: request.headers as Record<string, string>,
          body,
        });
      response.writeHead(status).end();
    });
  });
  return {
    received,
    attempts,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const fresh = (title: string): Article => ({
  id: `urn:uuid:${crypto.randomUUID()}`,
  file: "fresh.md",
  title,
  summary: "Just in.",
  published: new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, "Z"),
  url: `https://wire.example.com/${encodeURIComponent(title)}`,
  provider: { name: "Wire", domain: "wire.example.com" },
  topics: ["AI"],
  related: [],
  isPublished: true,
});

/**
 * Short waits between attempts; a timeout long enough that a server which answers is never taken for one
 * that hangs, even on a busy machine (a timed-out attempt that was in fact received arrives twice).
 */
const QUICK = { retryDelays: [30], giveUpAfterMs: 60_000, timeoutMs: 3_000, concurrency: 16 };
let servers: ReturnType<typeof followerServers>;
let origin: string;
let answer: (request: IncomingMessage, attempt: number) => number | "hang" = () => 202;

beforeAll(async () => {
  servers = followerServers((request, attempt) => answer(request, attempt));
  origin = await servers.start();
});
afterAll(() => servers.close());

async function federationWithFollowers(count: number, servers: number) {
  const { store, config } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.org" });
  const federation = await testFederation(config, {
    fetcher: publicOnlyFetch({ allowInsecure: true }),
    policy: QUICK,
    log: () => {},
  });
  for (let n = 0; n < count; n++)
    federation.options.state.follow({
      account: "feed",
      actor: `${origin}/s${n % servers}/users/${n}`,
      inbox: `${origin}/s${n % servers}/users/${n}/inbox`,
      sharedInbox: `${origin}/s${n % servers}/inbox`,
      follow: `${origin}/s${n % servers}/follows/${n}`,
      since: "2026-12-01T00:00:00Z",
    });
  // The first look only records what is there.
  expect(await federation.publish(store, [])).toBe(0);
  return { federation, store, config };
}

// A hanging server costs a whole timeout: more than the default 5 s test time on a busy machine.
describe("delivery", { timeout: 30_000 }, () => {
  it("sends one new article to 200 servers with 1,000 followers as 200 deliveries, each signed", async () => {
    servers.received.length = 0;
    answer = () => 202;
    const { federation, store } = await federationWithFollowers(1_000, 200);
    const live = [fresh("Two hundred servers")];
    expect(await federation.publish(store, live)).toBe(200);
    await federation.deliverer.idle();
    expect(servers.received).toHaveLength(200);
    expect(new Set(servers.received.map((one) => one.path)).size).toBe(200);
    const key = await importPublicKey((await federation.options.keys()).publicKeyPem);
    const first = servers.received[0];
    const keyId = await verifyRequest(
      {
        method: "POST",
        url: `${origin}${first.path}`,
        headers: first.headers,
        body: new TextEncoder().encode(first.body),
      },
      async () => key,
      Date.now(),
    );
    expect(keyId).toBe("https://feeds.example.org/#main-key");
    expect(JSON.parse(first.body)).toMatchObject({
      type: "Create",
      object: { type: "Article", name: "Two hundred servers" },
    });
    // The same live set again is no news.
    expect(await federation.publish(store, live)).toBe(0);
    federation.close();
  });

  it("retries past 500s and a timeout, and the post arrives exactly once", async () => {
    servers.received.length = 0;
    servers.attempts.clear();
    answer = (_, attempt) => (attempt <= 2 ? 500 : attempt === 3 ? "hang" : 202);
    const { federation, store } = await federationWithFollowers(1, 1);
    await federation.publish(store, [fresh("Flaky server")]);
    await federation.deliverer.idle();
    expect(servers.attempts.get("/s0/inbox")).toBe(4);
    expect(servers.received).toHaveLength(1);
    federation.close();
  });

  it("gives up at once on a refusal (4xx other than 429), and logs it", async () => {
    servers.attempts.clear();
    answer = () => 403;
    const logged: string[] = [];
    const { store, config } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.org" });
    const federation = await testFederation(config, {
      fetcher: publicOnlyFetch({ allowInsecure: true }),
      policy: QUICK,
      log: (line) => logged.push(line),
    });
    federation.options.state.follow({
      account: "feed",
      actor: `${origin}/x/users/1`,
      inbox: `${origin}/x/inbox`,
      follow: `${origin}/x/f/1`,
      since: "2026-12-01T00:00:00Z",
    });
    await federation.publish(store, []);
    await federation.publish(store, [fresh("Refused")]);
    await federation.deliverer.idle();
    expect(servers.attempts.get("/x/inbox")).toBe(1);
    expect(logged.join("\n")).toMatch(/gave up delivering .* after 1 attempt: refused: HTTP 403/);
    federation.close();
  });
});

describe("the public-only fetch", () => {
  it("refuses loopback, private and plain-http addresses unless allowed", async () => {
    const strict = publicOnlyFetch({ allowInsecure: false });
    await expect(strict(`${origin}/s0/inbox`, {})).rejects.toThrow(/only https/);
    await expect(strict("https://127.0.0.1/inbox", {})).rejects.toThrow(/not a public address/);
    await expect(strict("https://[::1]/inbox", {})).rejects.toThrow(/not a public address/);
    await expect(strict("https://10.1.2.3/inbox", {})).rejects.toThrow(/not a public address/);
    await expect(strict("https://localhost/inbox", {})).rejects.toThrow(/not a public address/);
    expect(
      (
        await publicOnlyFetch({ allowInsecure: true })(`${origin}/s0/inbox`, {
          method: "POST",
          body: "{}",
        })
      ).status,
    ).toBeLessThan(500);
  });
});

// 310 signed requests at the end: more than 5 s on a busy machine.
describe("the inbox", { timeout: 30_000 }, () => {
  let app: ReturnType<typeof createApp>;
  let federation: Awaited<ReturnType<typeof testFederation>>;
  let sender: CryptoKeyPair;
  const actor = "https://remote.example.net/users/bob";
  const goneActor = "https://remote.example.net/users/gone";
  const fetched: { url: string; signature?: string }[] = [];
  // One instant for the whole block: the per-minute allowance must not roll over mid-test.
  const at = Date.now();

  beforeAll(async () => {
    const { store, config } = await fixtureApp({ PUBLIC_URL: "https://feeds.example.org" });
    sender = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const pem = await publicKeyPem(sender.publicKey);
    // The remote server, as far as this test needs it: bob's actor with his key.
    const remote = async (url: string, init: RequestInit) => {
      fetched.push({ url, signature: (init.headers as Record<string, string>).signature });
      if (url.startsWith(goneActor)) return new Response("", { status: 410 });
      return url.startsWith(actor)
        ? new Response(
            JSON.stringify({
              id: actor,
              type: "Person",
              inbox: `${actor}/inbox`,
              publicKey: { id: `${actor}#main-key`, owner: actor, publicKeyPem: pem },
            }),
            { status: 200 },
          )
        : new Response("", { status: 404 });
    };
    federation = await testFederation(
      { ...config, publicUrl: "https://feeds.example.org" },
      { fetcher: remote, policy: QUICK, log: () => {}, now: () => at },
    );
    federation.options.settings.blockedDomains = ["blocked.example"];
    app = createApp({ store, config, extensions: [federationRoutes(federation)] });
  });

  const post = async (
    activity: object,
    options: { date?: number; keyId?: string; body?: string } = {},
  ) => {
    const body = new TextEncoder().encode(options.body ?? JSON.stringify(activity));
    const url = "https://feeds.example.org/ap/inbox";
    const headers = await signRequest(
      { method: "POST", url, headers: { "content-type": "application/activity+json" }, body },
      { id: options.keyId ?? `${actor}#main-key`, privateKey: sender.privateKey },
      options.date ?? at,
    );
    return app.request(url, { method: "POST", headers, body });
  };
  const follow = {
    id: `${actor}/follows/7`,
    type: "Follow",
    actor,
    object: "https://feeds.example.org/topics/ai/",
  };

  it("takes a signed Follow, and queues the Accept for the follower's inbox", async () => {
    const response = await post(follow);
    expect(response.status).toBe(202);
    expect(federation.options.state.followersOf("ai").map((one) => one.actor)).toEqual([actor]);
    const accept = [...federation.options.state.queue.values()].find(
      (one) => one.inbox === `${actor}/inbox`,
    );
    expect(JSON.parse(accept!.body)).toMatchObject({
      type: "Accept",
      object: { id: follow.id, type: "Follow" },
    });
  });

  it("refuses a signature dated outside the window, a body over the limit, and an activity of another actor", async () => {
    expect((await post(follow, { date: at - 3600_000 })).status).toBe(401);
    const large = JSON.stringify({ ...follow, padding: "x".repeat(300 * 1024) });
    expect((await post(follow, { body: large })).status).toBe(413);
    const forged = await post({ ...follow, actor: "https://remote.example.net/users/eve" });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error).toMatch(
      /signed by .*bob, not by the activity's actor .*eve/,
    );
    const blocked = await post({ ...follow, actor: "https://spam.blocked.example/users/x" });
    expect(blocked.status).toBe(403);
  });

  it("fetched bob's key with a signed GET, as servers in secure mode require", () => {
    const first = fetched.find((one) => one.url === `${actor}#main-key` || one.url === actor);
    expect(first?.signature).toMatch(
      /^keyId="https:\/\/feeds\.example\.org\/#main-key",algorithm="rsa-sha256",headers="\(request-target\) host date"/,
    );
  });

  it("drops a deleted actor's follows on its Delete, though its key is gone (410)", async () => {
    federation.options.state.follow({
      account: "feed",
      actor: goneActor,
      inbox: `${goneActor}/inbox`,
      follow: `${goneActor}/f/1`,
      since: "2026-12-01T00:00:00Z",
    });
    const response = await post(
      { id: `${goneActor}#delete`, type: "Delete", actor: goneActor, object: goneActor },
      { keyId: `${goneActor}#main-key` },
    );
    expect(response.status).toBe(202);
    expect(federation.options.state.followersOf("feed").map((one) => one.actor)).not.toContain(
      goneActor,
    );
  });

  it("ends a follow on a signed Undo, and answers 405 to a GET", async () => {
    const response = await post({ id: `${follow.id}#undo`, type: "Undo", actor, object: follow });
    expect(response.status).toBe(202);
    expect(federation.options.state.followersOf("ai")).toEqual([]);
    expect((await app.request("https://feeds.example.org/ap/inbox")).status).toBe(405);
  });

  // Last: it uses up this minute's allowance for the sender.
  it("answers 429 past the per-server limit of activities a minute", async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 310; n++)
      statuses.push(
        (
          await post({
            id: `${actor}/likes/${n}`,
            type: "Like",
            actor,
            object: "https://feeds.example.org/",
          })
        ).status,
      );
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, 200).every((status) => status === 202)).toBe(true);
  });
});
