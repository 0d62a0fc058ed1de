/**
 * One fediverse account per feed: the feed of everything, each topic and each
 * provider. A handle is what a reader types after the @ (`@ai@feeds.example.org`):
 * it must be a username as Mastodon reads one, letters a-z, digits and "_",
 * with "." and "-" allowed inside. Topic keys and domains mostly are already;
 * the rest are folded (docs/federation.md says how), and a handle claimed
 * twice gets a number.
 */
import type { Article } from "../content/article.js";
import { providerKey, topicKey } from "../content/keys.js";
import { type ContentStore, type GroupInfo, type StoreScope, scopeKey } from "../index/store.js";

/** The feed of everything's handle. */
export const EVERYTHING_HANDLE = "feed";

export interface Account {
  handle: string;
  scope: StoreScope;
  /** The site's title, or the group's name. */
  name: string;
  group?: GroupInfo;
}

/** "AI Hardware"'s key "ai-hardware" stays; "Café" becomes "cafe"; "C++"'s key "c" stays; "हिन्दी" becomes topic_… */
export function handleOf(key: string): string {
  const folded = key
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "_")
    .replace(/[.-]{2,}/g, "-")
    .replace(/^[.-]+|[.-]+$/g, "")
    .slice(0, 60);
  return /[a-z0-9]/.test(folded) ? folded : `topic_${fnv1a(key)}`;
}

/** FNV-1a (32 bits) in hex: a short, stable name for a key with no letter a-z to keep. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const unit of new TextEncoder().encode(text)) hash = Math.imul(hash ^ unit, 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Every account, by handle: everything first, then providers, then topics, each in key order. */
export async function accountsOf(
  store: ContentStore,
  siteTitle: string,
): Promise<Map<string, Account>> {
  const accounts = new Map<string, Account>();
  const claim = (account: Omit<Account, "handle">, wanted: string) => {
    let handle = wanted;
    for (let n = 2; accounts.has(handle); n++) handle = `${wanted}_${n}`;
    accounts.set(handle, { handle, ...account });
  };
  claim({ scope: { kind: "all" }, name: siteTitle }, EVERYTHING_HANDLE);
  for (const kind of ["provider", "topic"] as const)
    for (const group of await store.groups(kind))
      claim({ scope: { kind, key: group.key }, name: group.name, group }, handleOf(group.key));
  return accounts;
}

/** Each accounts map's accounts by scope, made once: lookups by scope run per article and per request. */
const byScope = new WeakMap<ReadonlyMap<string, Account>, Map<string, Account>>();

/** The account of a feed's scope, if the feed has articles. */
export function accountOf(
  scope: StoreScope,
  accounts: ReadonlyMap<string, Account>,
): Account | undefined {
  let index = byScope.get(accounts);
  if (!index) {
    index = new Map([...accounts.values()].map((account) => [scopeKey(account.scope), account]));
    byScope.set(accounts, index);
  }
  return index.get(scopeKey(scope));
}

/** The accounts an article is posted by: everything, its provider, each of its topics. */
export function accountsPosting(
  article: Article,
  accounts: ReadonlyMap<string, Account>,
): Account[] {
  const scopes: StoreScope[] = [
    { kind: "all" },
    { kind: "provider", key: providerKey(article.provider.domain) },
    ...[...new Set(article.topics.map(topicKey))].map((key) => ({ kind: "topic" as const, key })),
  ];
  return scopes.flatMap((scope) => accountOf(scope, accounts) ?? []);
}
