/**
 * A follower's server for the federation tests: Fedify (1.5, which runs on
 * Node 20), an independent ActivityPub implementation, with one account
 * (alice). It does its own WebFinger lookups, parses our actors, and verifies
 * the signature of every activity we send it, recording what it accepted.
 */
import {
  Accept,
  type Actor,
  Create,
  Delete,
  Endpoints,
  Follow,
  MemoryKvStore,
  Person,
  Undo,
  Update,
  createFederation,
  generateCryptoKeyPair,
} from "@fedify/fedify";
import { type ServerType, serve } from "@hono/node-server";

export interface Received {
  type: string;
  id: string;
  object?: string;
  name?: string;
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port, hostname: "127.0.0.1" }, () => resolve(server));
  });
}

export async function followerServer(port: number) {
  /** What the server received, as Fedify parsed and verified it. */
  const received: Received[] = [];
  const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
  const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) =>
      identifier !== "alice"
        ? null
        : new Person({
            id: ctx.getActorUri(identifier),
            preferredUsername: identifier,
            inbox: ctx.getInboxUri(identifier),
            endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
            publicKey: (await ctx.getActorKeyPairs(identifier))[0].cryptographicKey,
          }),
    )
    .setKeyPairsDispatcher(async () => [keys]);
  const record =
    (type: string) => async (_: unknown, activity: Accept | Create | Update | Delete) => {
      const object = await activity.getObject().catch(() => null);
      received.push({
        type,
        id: activity.id!.href,
        ...(activity.objectId ? { object: activity.objectId.href } : {}),
        ...(object && "name" in object && object.name ? { name: String(object.name) } : {}),
      });
    };
  federation
    .setInboxListeners("/users/{identifier}/inbox", "/inbox")
    .on(Accept, record("Accept"))
    .on(Create, record("Create"))
    .on(Update, record("Update"))
    .on(Delete, record("Delete"));
  const server = await listen(
    (request) => federation.fetch(request, { contextData: undefined }),
    port,
  );
  /** Waits for what `find` looks for in what was received. */
  async function until<T>(find: () => T | undefined, what: string, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`waited ${ms} ms for ${what}; received: ${JSON.stringify(received)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const origin = `http://127.0.0.1:${port}`;
  const followOf = (account: Actor, actor: URL) =>
    new Follow({ id: new URL(`${origin}/follows/1`), actor, object: account.id });
  /** alice follows `account`, or (undo) stops: the activity signed and sent by Fedify. */
  async function follow(account: Actor, undo = false) {
    const ctx = federation.createContext(new URL(origin), undefined);
    const actor = ctx.getActorUri("alice");
    await ctx.sendActivity(
      { identifier: "alice" },
      account,
      undo
        ? new Undo({
            id: new URL(`${origin}/follows/1#undo`),
            actor,
            object: followOf(account, actor),
          })
        : followOf(account, actor),
    );
  }
  return { federation, server, origin, received, until, follow };
}

/** An article file in topic AI from provider Wire, dated `date`. */
export function federatedArticle(slug: string, title: string, date: Date): string {
  return [
    "---",
    `title: ${JSON.stringify(title)}`,
    `excerpt: "Posted to the fediverse."`,
    `publishedDateTime: ${date.toISOString().replace(/\.\d+Z$/, "Z")}`,
    `webUrl: "https://wire.example.com/${slug}"`,
    "provider:",
    "  name: Wire",
    "  domain: wire.example.com",
    "topics:",
    "  - AI",
    "---",
    "",
  ].join("\n");
}
