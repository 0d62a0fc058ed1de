/**
 * Federation's working parts, for any platform that gives it a place for its
 * state, a key pair and a way to fetch: the accounts of a content store, the
 * inbox's handling of verified activities, and what is delivered when the
 * live articles change. Routes are in routes.ts; Node's wiring in node.ts.
 */
import { type Config, ConfigError, type FederationConfig } from "../config.js";
import type { Article } from "../content/article.js";
import type { ContentStore } from "../index/store.js";
import { type Account, accountsOf } from "./accounts.js";
import { type Deliverer, type DeliveryPolicy, type Send, createDeliverer } from "./delivery.js";
import { postChanges } from "./posts.js";
import { type Fetcher, GoneError, RemoteDocuments } from "./remote.js";
import { type SignedMessage, SignatureError, signRequest, verifyRequest } from "./signatures.js";
import { type KeyPair, keyPairOf, makeKeys } from "./keys.js";
import { EMPTY_STATE, type FederationStore, FederationState } from "./state.js";
import { ACTIVITY_JSON, FederationUrls, type Json, acceptActivity } from "./vocabulary.js";

/** What a deliverer is made of: how to send one, and when to try again. */
export interface DelivererParts {
  send: Send;
  now: () => number;
  log: (line: string) => void;
  policy?: DeliveryPolicy;
}

export interface FederationOptions<S extends FederationStore = FederationStore> {
  config: Config & { publicUrl: string };
  settings: FederationConfig;
  state: S;
  /** The key pair every account signs with: read (or made) once, when first needed. */
  keys: () => Promise<KeyPair>;
  fetcher: Fetcher;
  /** How queued deliveries go out: Node's on timers from memory (the default for a FederationState), a Worker's from D1. */
  deliverer: (parts: DelivererParts) => Deliverer;
  now?: () => number;
  log?: (line: string) => void;
  policy?: DeliveryPolicy;
}

/** An inbox's answer: a status and what it says. */
export class InboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Activities accepted per sending server and minute. */
const SENDER_LIMIT_PER_MINUTE = 300;

export class Federation<S extends FederationStore = FederationStore> {
  readonly urls: FederationUrls;
  readonly remote: RemoteDocuments;
  readonly deliverer: Deliverer;
  readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly accountsByVersion = new Map<string, Promise<Map<string, Account>>>();
  private readonly senders = new Map<string, { minute: number; count: number }>();

  constructor(readonly options: FederationOptions<S>) {
    const { config, keys, fetcher } = options;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? console.log;
    this.urls = new FederationUrls(config.publicUrl);
    const everything = { handle: "", scope: { kind: "all" as const }, name: "" };
    // Fetches are signed as the feed of everything (servers in secure mode answer only signed ones).
    this.remote = new RemoteDocuments(
      fetcher,
      async () => ({ id: this.urls.key(everything), privateKey: (await keys()).privateKey }),
      this.now,
    );
    this.deliverer = options.deliverer({
      now: this.now,
      ...(options.policy ? { policy: options.policy } : {}),
      log: (line) => this.log(line),
      send: async (delivery, signal) => {
        const body = new TextEncoder().encode(delivery.body);
        const headers = await signRequest(
          { method: "POST", url: delivery.inbox, headers: { "content-type": ACTIVITY_JSON }, body },
          { id: delivery.keyId, privateKey: (await keys()).privateKey },
          this.now(),
        );
        const response = await fetcher(delivery.inbox, { method: "POST", headers, body, signal });
        await response.body?.cancel();
        return response.status;
      },
    });
    this.deliverer.kick();
  }

  /** The accounts of a store (computed once per content version). */
  async accounts(store: ContentStore): Promise<Map<string, Account>> {
    const version = await store.version();
    let accounts = this.accountsByVersion.get(version);
    if (!accounts) {
      this.accountsByVersion.clear();
      accounts = accountsOf(store, this.options.config.siteTitle);
      this.accountsByVersion.set(version, accounts);
    }
    return accounts;
  }

  blocked = (url: string): boolean => {
    let host: string;
    try {
      host = new URL(url).hostname.toLowerCase();
    } catch {
      return true;
    }
    return this.options.settings.blockedDomains.some(
      (domain) => host === domain || host.endsWith(`.${domain}`),
    );
  };

  /** Tells followers what changed in the live articles (newest first, none scheduled); returns the deliveries queued. */
  async publish(
    this: Federation<FederationState>,
    store: ContentStore,
    live: readonly Article[],
  ): Promise<number> {
    const deliveries = await postChanges({
      state: this.options.state,
      live,
      accounts: await this.accounts(store),
      urls: this.urls,
      now: this.now(),
      blocked: this.blocked,
    });
    this.options.state.enqueue(deliveries);
    this.deliverer.kick();
    return deliveries.length;
  }

  /** A POST to an inbox, its body read (within the limit): verified, then acted on. */
  async receive(message: SignedMessage, store: ContentStore): Promise<void> {
    const activity = parseActivity(message.body!);
    const actor = idOf(activity.actor);
    if (!actor) throw new InboxError(400, "the activity names no actor");
    if (this.blocked(actor))
      throw new InboxError(403, "this server does not take activities from that domain");
    this.countSender(new URL(actor).host);
    let owner: string;
    try {
      const keyId = await verifyRequest(
        message,
        async (id, refresh) => (await this.remote.key(id, refresh)).key,
        this.now(),
      );
      owner = (await this.remote.key(keyId)).owner;
    } catch (error) {
      // A deleted actor's key is gone with it: its own Delete is taken unsigned (it only makes us forget it).
      if (
        error instanceof GoneError &&
        activity.type === "Delete" &&
        idOf(activity.object) === actor
      ) {
        await this.options.state.dropActor(actor);
        return;
      }
      if (error instanceof SignatureError) throw new InboxError(401, error.message);
      throw new InboxError(
        401,
        `the signature cannot be checked: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (owner !== actor)
      throw new InboxError(
        401,
        `the request is signed by ${owner}, not by the activity's actor ${actor}`,
      );
    await this.act(activity, actor, store);
  }

  private async act(activity: Json, actor: string, store: ContentStore): Promise<void> {
    const { state } = this.options;
    if (activity.type === "Follow") return this.follow(activity, actor, store);
    if (activity.type === "Undo" && typeof activity.object === "object") {
      const follow = activity.object as Json;
      const account = await this.accountAt(idOf(follow.object), store);
      if (follow.type === "Follow" && account) await state.unfollow(account.handle, actor);
      return;
    }
    if (activity.type === "Delete" && idOf(activity.object) === actor) await state.dropActor(actor);
  }

  private async follow(activity: Json, actor: string, store: ContentStore): Promise<void> {
    const account = await this.accountAt(idOf(activity.object), store);
    if (!account)
      throw new InboxError(
        404,
        `${String(idOf(activity.object))} is not an account of this server`,
      );
    const followId = idOf(activity.id);
    if (!followId) throw new InboxError(400, "the Follow has no id");
    const remote = await this.remote.actor(actor).catch((error: Error) => {
      throw new InboxError(400, `the follower's actor cannot be fetched: ${error.message}`);
    });
    const { state } = this.options;
    await state.follow({
      account: account.handle,
      actor,
      inbox: remote.inbox,
      ...(remote.sharedInbox ? { sharedInbox: remote.sharedInbox } : {}),
      follow: followId,
      since: new Date(this.now()).toISOString(),
    });
    const accept = acceptActivity(this.urls.actor(account), activity, followId);
    await state.enqueue([
      {
        id: `${String(accept.id)} ${remote.inbox}`,
        inbox: remote.inbox,
        keyId: this.urls.key(account),
        body: JSON.stringify(accept),
        attempts: 0,
        firstAt: this.now(),
        nextAt: this.now(),
      },
    ]);
    this.deliverer.kick();
  }

  /** The account whose actor is at `url`. */
  async accountAt(url: string | undefined, store: ContentStore): Promise<Account | undefined> {
    if (!url) return undefined;
    for (const account of (await this.accounts(store)).values())
      if (this.urls.actor(account) === url) return account;
    return undefined;
  }

  private countSender(host: string): void {
    const minute = Math.floor(this.now() / 60_000);
    const known = this.senders.get(host);
    const count = known && known.minute === minute ? known.count + 1 : 1;
    if (this.senders.size > 10_000) this.senders.clear();
    this.senders.set(host, { minute, count });
    if (count > SENDER_LIMIT_PER_MINUTE)
      throw new InboxError(
        429,
        `more than ${SENDER_LIMIT_PER_MINUTE} activities a minute from ${host}; retry later`,
      );
  }

  close(): void {
    this.deliverer.close();
  }
}

/** Refuses a preview (drafts must never reach followers), and warns when the address rules are lifted. */
export function checkFederation(config: Config, settings: FederationConfig): void {
  if (config.includeUnpublished)
    throw new ConfigError(
      "FEDERATION=on is refused in a preview (INCLUDE_UNPUBLISHED): drafts must never be posted to followers",
    );
  if (settings.allowInsecure)
    console.warn(
      "feedloom federation: FEDERATION_ALLOW_INSECURE is on: fetches and deliveries may go over plain http and to private and loopback addresses. This is for tests on one machine; never run a public server so",
    );
}

/** Node's deliverer, over the state in memory. */
export const memoryDeliverer = (state: FederationState) => (parts: DelivererParts) =>
  createDeliverer({ state, ...parts });

/** Federation that keeps its state in memory, with a key pair of its own: for tests and the bench. */
export async function ephemeralFederation(
  options: Omit<FederationOptions<FederationState>, "state" | "keys" | "settings" | "deliverer"> & {
    settings?: Partial<FederationConfig>;
  },
): Promise<Federation<FederationState>> {
  const state = new FederationState(structuredClone(EMPTY_STATE), () => {});
  const keys = makeKeys().then(keyPairOf);
  await keys;
  return new Federation({
    ...options,
    settings: { enabled: true, allowInsecure: false, blockedDomains: [], ...options.settings },
    state,
    deliverer: memoryDeliverer(state),
    keys: () => keys,
  });
}

function parseActivity(body: Uint8Array): Json {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(body));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Json;
  } catch {
    // reported below
  }
  throw new InboxError(400, "the body must be an ActivityStreams activity: a JSON object");
}

/** The id of a link or an embedded object. */
function idOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as Json).id === "string")
    return (value as Json).id as string;
  return undefined;
}
