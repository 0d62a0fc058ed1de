/**
 * What followers are told when the live articles change, however they
 * changed (a file saved, the publishing API, a scheduled time reached): the
 * live set is compared with what followers last heard of each article. A new
 * article is a Create from each account that posts it, an edit an Update, a
 * removal a Delete, and a topic added or dropped a Create or Delete from that
 * topic's account. Each activity goes once to each follower server's shared
 * inbox (or the follower's own inbox when it has none).
 *
 * The first time federation sees the articles, it only records them: turning
 * it on must not post the whole archive. An article that arrives already
 * older than FRESH_MS is recorded without a post too (a backfill of old news).
 */
import type { Article } from "../content/article.js";
import type { StoreScope } from "../index/store.js";
import { type Account, accountsPosting } from "./accounts.js";
import type { Delivery, FederationState, Follower } from "./state.js";
import {
  type FederationUrls,
  PUBLIC,
  type PostKind,
  articleObject,
  postActivity,
} from "./vocabulary.js";

export const FRESH_MS = 2 * 24 * 3600_000;

/** One activity to fan out: who posts it, and its body. */
export interface Post {
  account: Account;
  kind: PostKind;
  activity: Record<string, unknown>;
}

const versions = new WeakMap<Article, Promise<string>>();

/** A digest of what a post shows: an edit of anything else (the file's name) is not news to followers. */
function versionOf(article: Article): Promise<string> {
  let version = versions.get(article);
  if (!version) {
    const shown = JSON.stringify([
      article.title,
      article.summary,
      article.url,
      article.image?.url,
      article.topics,
      article.provider.name,
      article.published,
    ]);
    version = crypto.subtle
      .digest("SHA-256", new TextEncoder().encode(shown))
      .then((bytes) => Buffer.from(bytes).toString("base64url").slice(0, 16));
    versions.set(article, version);
  }
  return version;
}

const uuidOf = (article: Article) => article.id.slice("urn:uuid:".length);

/** The posted record's entry: the version, then the handles of the accounts that posted it. */
const entryOf = (version: string, accounts: Account[]) =>
  [version, ...accounts.map(tokenOf)].join(" ");

/**
 * A posting account as the record names it: its handle and its feed (`ai/topic/ai`,
 * `forbes.com/provider/forbes.com`, `feed/all/`), so that an account whose feed has since lost
 * its last article still posts the Delete from its own actor, whose key followers know.
 */
const tokenOf = (account: Account) =>
  [
    account.handle,
    account.scope.kind,
    account.scope.kind === "all" ? "" : encodeURIComponent(account.scope.key),
  ].join("/");

/** The accounts a record names: live ones by handle, the rest rebuilt from the feed it records. */
function recordedAccounts(
  tokens: readonly string[],
  accounts: ReadonlyMap<string, Account>,
): Account[] {
  return tokens.map((token) => {
    const [handle, kind, key = ""] = token.split("/");
    const scope: StoreScope =
      kind === "all"
        ? { kind: "all" }
        : kind === "provider"
          ? { kind: "provider", key: decodeURIComponent(key) }
          : // A record of an older version names the handle alone: a topic's, most often.
            { kind: "topic", key: kind === undefined ? handle : decodeURIComponent(key) };
    return accounts.get(handle) ?? { handle, scope, name: handle };
  });
}

/** What followers are to be told: the posts, and what each article's record becomes. */
export interface PostPlan {
  posts: Post[];
  /** The record of each article of `live`: its version and the accounts that posted it. */
  posted: Map<string, string>;
}

/**
 * Compares `live` with `before`, the record of what followers heard (null: federation sees the
 * articles for the first time, and only records them). An article of `before` that is not in
 * `live` was removed. Node passes every live article and the whole record; D1 passes the
 * articles that changed or are new, and their records only (federation/d1.ts).
 */
export async function planPosts(options: {
  before: ReadonlyMap<string, string> | null;
  live: readonly Article[];
  accounts: ReadonlyMap<string, Account>;
  urls: FederationUrls;
  now: number;
}): Promise<PostPlan> {
  const { before, live, accounts, urls, now } = options;
  const posted = new Map<string, string>();
  const posts: Post[] = [];
  const seen = new Set<string>();
  for (const article of live) {
    const id = uuidOf(article);
    seen.add(id);
    const version = await versionOf(article);
    const posting = accountsPosting(article, accounts);
    posted.set(id, entryOf(version, posting));
    if (!before) continue;
    const [previous, ...tokens] = before.get(id)?.split(" ") ?? [];
    const recorded = recordedAccounts(tokens, accounts);
    const handles = recorded.map((account) => account.handle);
    if (previous === undefined && now - Date.parse(article.published) > FRESH_MS) continue;
    const post = (account: Account, kind: PostKind) =>
      posts.push({
        account,
        kind,
        activity: postActivity(
          kind,
          articleObject(account, article, urls),
          version,
          article.published,
        ),
      });
    for (const account of posting)
      if (!handles.includes(account.handle)) post(account, "Create");
      else if (previous !== version) post(account, "Update");
    for (const account of recorded)
      if (!posting.some((one) => one.handle === account.handle)) post(account, "Delete");
  }
  for (const [id, entry] of before ?? []) {
    if (seen.has(id)) continue;
    const [version, ...tokens] = entry.split(" ");
    for (const account of recordedAccounts(tokens, accounts)) {
      const object = {
        id: `${urls.publicUrl}/ap/${encodeURIComponent(account.handle)}/articles/${id}`,
        attributedTo: urls.actor(account),
        to: [PUBLIC],
        cc: [urls.followers(account)],
      };
      posts.push({
        account,
        kind: "Delete",
        activity: postActivity("Delete", object, version, new Date(now).toISOString()),
      });
    }
  }
  return { posts, posted };
}

/** Node's round: every live article against the whole record, kept in memory. */
export async function postChanges(options: {
  state: FederationState;
  live: readonly Article[];
  accounts: ReadonlyMap<string, Account>;
  urls: FederationUrls;
  now: number;
  /** Followers on these domains are skipped. */
  blocked: (url: string) => boolean;
}): Promise<Delivery[]> {
  const { state, urls, now } = options;
  const { posts, posted } = await planPosts({ ...options, before: state.posted ?? null });
  state.setPosted(posted);
  return posts.flatMap((post) =>
    deliveriesOf(post, state.followersOf(post.account.handle), urls, options.blocked, now),
  );
}

/** A post's deliveries: one to each follower server's shared inbox (or the follower's own inbox when it has none). */
export function deliveriesOf(
  post: Post,
  followers: readonly Follower[],
  urls: FederationUrls,
  blocked: (url: string) => boolean,
  now: number,
): Delivery[] {
  const inboxes = new Set(
    followers
      .filter((follower) => !blocked(follower.actor))
      .map((follower) => follower.sharedInbox ?? follower.inbox),
  );
  const body = JSON.stringify(post.activity);
  const id = String(post.activity.id);
  return [...inboxes].map((inbox) => ({
    id: `${id} ${inbox}`,
    inbox,
    keyId: urls.key(post.account),
    body,
    attempts: 0,
    firstAt: now,
    nextAt: now,
  }));
}
