/**
 * What federation remembers: who follows which account, what followers were
 * told of each article (its version), and the deliveries still to make. On
 * Node it is held in memory (FederationState); `persist` hears of each change
 * (one JSON file under STATE_DIR, written through a rename: federation/node.ts).
 * On a Worker it is in D1 (federation/d1.ts). Both answer FederationStore,
 * what the inbox and the routes need. A follower list is never served: the
 * followers collection gives a count.
 */

export interface Follower {
  /** Our account's handle. */
  account: string;
  /** The follower's actor id. */
  actor: string;
  inbox: string;
  /** Its server's shared inbox, when it has one: one delivery there reaches all its followers. */
  sharedInbox?: string;
  /** The Follow activity's id (an Undo names it). */
  follow: string;
  since: string;
}

export interface Delivery {
  /** The activity's id and the inbox: one delivery per activity and inbox. */
  id: string;
  inbox: string;
  /** The id of the key that signs it: the posting account's. */
  keyId: string;
  /** The activity, serialized once. */
  body: string;
  attempts: number;
  firstAt: number;
  nextAt: number;
}

export interface StateData {
  followers: Follower[];
  /** Article id (uuid) to the version followers last heard of; null until the first article set is seen. */
  posted: Record<string, string> | null;
  queue: Delivery[];
}

type Awaitable<T> = T | Promise<T>;

/** What the inbox and the routes ask of the state, wherever it is kept. */
export interface FederationStore {
  /** A follow, replacing the same actor's earlier follow of that account. */
  follow(follower: Follower): Awaitable<void>;
  unfollow(account: string, actor: string): Awaitable<boolean>;
  dropActor(actor: string): Awaitable<boolean>;
  followerCount(account: string): Awaitable<number>;
  /** Followers per account handle. */
  counts(): Awaitable<Map<string, number>>;
  /** Queues deliveries; one already queued (the same activity and inbox) is kept as it is. */
  enqueue(deliveries: Iterable<Delivery>): Awaitable<void>;
}

export const EMPTY_STATE: StateData = { followers: [], posted: null, queue: [] };

export class FederationState implements FederationStore {
  private followers: Follower[];
  posted: Map<string, string> | undefined;
  readonly queue: Map<string, Delivery>;

  constructor(
    data: StateData,
    /** Called after each change; it reads toJSON() when it writes (a write may follow many changes). */
    private readonly persist: () => void,
  ) {
    this.followers = data.followers;
    this.posted = data.posted ? new Map(Object.entries(data.posted)) : undefined;
    this.queue = new Map(data.queue.map((delivery) => [delivery.id, delivery]));
  }

  follow(follower: Follower): void {
    this.followers = this.followers.filter(
      (known) => !(known.account === follower.account && known.actor === follower.actor),
    );
    this.followers.push(follower);
    this.changed();
  }

  unfollow(account: string, actor: string): boolean {
    return this.dropWhere((known) => known.account === account && known.actor === actor);
  }

  dropActor(actor: string): boolean {
    return this.dropWhere((known) => known.actor === actor);
  }

  followersOf(account: string): Follower[] {
    return this.followers.filter((follower) => follower.account === account);
  }

  followerCount(account: string): number {
    return this.followersOf(account).length;
  }

  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { account } of this.followers) counts.set(account, (counts.get(account) ?? 0) + 1);
    return counts;
  }

  setPosted(posted: Map<string, string>): void {
    this.posted = posted;
    this.changed();
  }

  enqueue(deliveries: Iterable<Delivery>): void {
    for (const delivery of deliveries)
      if (!this.queue.has(delivery.id)) this.queue.set(delivery.id, delivery);
    this.changed();
  }

  settle(id: string, next?: Delivery): void {
    if (next) this.queue.set(id, next);
    else this.queue.delete(id);
    this.changed();
  }

  toJSON(): StateData {
    return {
      followers: this.followers,
      posted: this.posted ? Object.fromEntries(this.posted) : null,
      queue: [...this.queue.values()],
    };
  }

  private dropWhere(test: (follower: Follower) => boolean): boolean {
    const before = this.followers.length;
    this.followers = this.followers.filter((follower) => !test(follower));
    if (this.followers.length === before) return false;
    this.changed();
    return true;
  }

  private changed(): void {
    this.persist();
  }
}
