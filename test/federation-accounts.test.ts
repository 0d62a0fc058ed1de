/**
 * Fediverse handles (src/federation/accounts.ts): every one a username as
 * Mastodon reads it, the same for the same key every time, and one account
 * per handle when two feeds fold to the same one.
 */
import { describe, expect, it } from "vitest";
import { EVERYTHING_HANDLE, accountsOf, handleOf } from "../src/federation/accounts.js";
import { topicKey } from "../src/content/keys.js";
import { buildIndex } from "../src/index/index.js";
import { createMemoryStore } from "../src/index/store.js";
import type { Article } from "../src/content/article.js";
import { type Post, planPosts } from "../src/federation/posts.js";
import { FederationUrls } from "../src/federation/vocabulary.js";

/** Mastodon's username pattern (app/models/account.rb, USERNAME_RE), anchored. */
const MASTODON_USERNAME = /^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$/i;

const article = (n: number, topics: string[], domain = "wire.example.com"): Article => ({
  id: `urn:uuid:00000000-0000-5000-8000-${String(n).padStart(12, "0")}`,
  file: `${n}.md`,
  title: `Article ${n}`,
  summary: "",
  published: "2026-11-30T10:00:00Z",
  url: `https://${domain}/${n}`,
  provider: { name: domain, domain },
  topics,
  related: [],
  isPublished: true,
});

describe("handles", () => {
  it.each([
    ["ai-hardware", "ai-hardware"],
    ["forbes.com", "forbes.com"],
    [topicKey("Café"), "cafe"],
    [topicKey("C++"), "c"],
    [topicKey("AI / ML"), "ai-ml"],
  ])("%s is @%s", (key, handle) => {
    expect(handleOf(key)).toBe(handle);
    expect(handleOf(key)).toMatch(MASTODON_USERNAME);
  });

  it("gives a key with no letter a-z a stable topic_ handle that Mastodon accepts", () => {
    const hindi = handleOf(topicKey("हिन्दी"));
    expect(hindi).toMatch(/^topic_[0-9a-f]{8}$/);
    expect(handleOf(topicKey("हिन्दी"))).toBe(hindi);
    expect(handleOf(topicKey("日本語"))).not.toBe(hindi);
    for (const key of ["हिन्दी", "日本語", "--", "a..b", ".x.", "ÅÄÖ"])
      expect(handleOf(topicKey(key))).toMatch(MASTODON_USERNAME);
  });

  it("keeps feed for everything, and numbers a handle two feeds fold to", async () => {
    const index = buildIndex([
      article(1, ["Feed", "Café"]),
      article(2, ["Cafe!"]),
      article(3, ["AI"]),
    ]);
    const accounts = await accountsOf(
      createMemoryStore(index, "t", { now: () => Date.now() }),
      "Site",
    );
    expect(accounts.get(EVERYTHING_HANDLE)?.scope).toEqual({ kind: "all" });
    expect(accounts.get("feed_2")?.scope).toEqual({ kind: "topic", key: "feed" });
    // "Café" and "Cafe!" are two topics (café, cafe) that fold to one handle.
    const cafes = ["cafe", "cafe_2"].map((handle) => accounts.get(handle)?.scope);
    expect(cafes).toEqual(
      expect.arrayContaining([
        { kind: "topic", key: "cafe" },
        { kind: "topic", key: "café" },
      ]),
    );
    expect(accounts.get("wire.example.com")?.scope).toEqual({
      kind: "provider",
      key: "wire.example.com",
    });
    for (const handle of accounts.keys()) expect(handle).toMatch(MASTODON_USERNAME);
  });
});

describe("posts from an account whose feed has lost its last article", () => {
  const urls = new FederationUrls("https://feeds.example.org");
  const accountsFor = (articles: Article[]) =>
    accountsOf(createMemoryStore(buildIndex(articles), "v", { now: () => Date.now() }), "Feeds");
  const actorsOf = (posts: Post[], kind: string) =>
    Object.fromEntries(
      posts
        .filter((post) => post.kind === kind)
        .map((post) => [post.account.handle, post.activity.actor]),
    );
  // A provider and a topic whose handles are not their keys' paths.
  const only = article(7, ["हिन्दी"], "only.example.com");
  const now = Date.parse(only.published) + 60_000;
  /** The article posted to its three accounts' followers. */
  const posted = async () =>
    planPosts({ before: new Map(), live: [only], accounts: await accountsFor([only]), urls, now });

  it("deletes the post from the actor that created it, for a provider and for a folded topic", async () => {
    const created = await posted();
    const creators = actorsOf(created.posts, "Create");
    expect(Object.keys(creators)).toHaveLength(3);
    expect(creators["only.example.com"]).toBe(
      "https://feeds.example.org/providers/only.example.com/",
    );
    const removed = await planPosts({
      before: created.posted,
      live: [],
      accounts: await accountsFor([article(8, ["AI"])]),
      urls,
      now,
    });
    expect(actorsOf(removed.posts, "Delete")).toEqual(creators);
  });

  it("deletes it from a topic's actor when the topic is dropped from the article and its feed is gone", async () => {
    const created = await posted();
    const retagged = { ...only, topics: ["AI"] };
    const edited = await planPosts({
      before: created.posted,
      live: [retagged],
      accounts: await accountsFor([retagged]),
      urls,
      now,
    });
    const topic = handleOf(topicKey("हिन्दी"));
    expect(actorsOf(edited.posts, "Delete")).toEqual({
      [topic]: actorsOf(created.posts, "Create")[topic],
    });
    expect(Object.keys(actorsOf(edited.posts, "Create"))).toEqual(["ai"]);
  });
});
