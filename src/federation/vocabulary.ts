/**
 * The ActivityStreams documents this service publishes: actors, articles, the
 * activities that carry them, collections, WebFinger and NodeInfo. Pure
 * builders: every id is made from PUBLIC_URL by `FederationUrls`, so the same
 * article always has the same ids, and a retried delivery is recognised.
 */
import type { Article } from "../content/article.js";
import { topicKey } from "../content/keys.js";
import { htmlEscape } from "../feeds/xml.js";
import { FORMAT_LABELS } from "../http/pages/view.js";
import { FORMATS, FORMAT_NAMES, articlePath, feedPath, pagePath } from "../scheme/paths.js";
import type { Account } from "./accounts.js";

import { ACTIVITY_JSON } from "./negotiation.js";

export { ACTIVITY_JSON };
export const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";
const CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"];
/** The terms Mastodon reads beyond ActivityStreams: profile fields and the discoverable flags. */
const ACTOR_CONTEXT = [
  ...CONTEXT,
  {
    toot: "http://joinmastodon.org/ns#",
    discoverable: "toot:discoverable",
    indexable: "toot:indexable",
    manuallyApprovesFollowers: "as:manuallyApprovesFollowers",
    schema: "http://schema.org#",
    PropertyValue: "schema:PropertyValue",
    value: "schema:value",
    Hashtag: "as:Hashtag",
  },
];

export type Json = Record<string, unknown>;

/** Every URL of the federation, under PUBLIC_URL. Actors live on their feed's page. */
export class FederationUrls {
  constructor(readonly publicUrl: string) {}
  actor = (account: Account) => `${this.publicUrl}${pagePath(account.scope)}`;
  key = (account: Account) => `${this.actor(account)}#main-key`;
  private under = (handle: string, rest: string) =>
    `${this.publicUrl}/ap/${encodeURIComponent(handle)}/${rest}`;
  inbox = (account: Account) => this.under(account.handle, "inbox");
  outbox = (account: Account) => this.under(account.handle, "outbox");
  followers = (account: Account) => this.under(account.handle, "followers");
  object = (account: Account, article: Article) =>
    this.under(account.handle, `articles/${article.id.slice("urn:uuid:".length)}`);
  sharedInbox = () => `${this.publicUrl}/ap/inbox`;
  host = () => new URL(this.publicUrl).host;
}

export function actorDocument(
  account: Account,
  urls: FederationUrls,
  details: { summary: string; icon?: string; publicKeyPem: string },
): Json {
  const actor = urls.actor(account);
  return {
    "@context": ACTOR_CONTEXT,
    id: actor,
    type: "Service",
    preferredUsername: account.handle,
    name: account.name,
    summary: `<p>${htmlEscape(details.summary)}</p>`,
    url: actor,
    inbox: urls.inbox(account),
    outbox: urls.outbox(account),
    followers: urls.followers(account),
    endpoints: { sharedInbox: urls.sharedInbox() },
    manuallyApprovesFollowers: false,
    discoverable: true,
    indexable: true,
    ...(details.icon ? { icon: { type: "Image", url: details.icon } } : {}),
    attachment: FORMAT_NAMES.map((format) => {
      const href = `${urls.publicUrl}${feedPath(account.scope)}.${FORMATS[format].extension}`;
      return {
        type: "PropertyValue",
        name: FORMAT_LABELS[format].name,
        value: `<a href="${htmlEscape(href)}" rel="alternate">${htmlEscape(href)}</a>`,
      };
    }),
    publicKey: { id: urls.key(account), owner: actor, publicKeyPem: details.publicKeyPem },
  };
}

/** `#AIHardware` of "AI Hardware": what Mastodon links a hashtag by (letters, digits and "_"). */
const hashtagOf = (topic: string) => topic.normalize("NFC").replace(/[^\p{L}\p{N}_]+/gu, "");

/** An article as a post of one account: its title, link, excerpt, image, hashtags and date. */
export function articleObject(account: Account, article: Article, urls: FederationUrls): Json {
  const tags = article.topics
    .map((topic) => ({
      name: hashtagOf(topic),
      page: pagePath({ kind: "topic", key: topicKey(topic) }),
    }))
    .filter((tag) => tag.name);
  const link = htmlEscape(article.url);
  const content = [
    `<p><a href="${link}">${htmlEscape(article.title)}</a> (${htmlEscape(article.provider.name)})</p>`,
    ...(article.summary ? [`<p>${htmlEscape(article.summary)}</p>`] : []),
    ...(tags.length ? [`<p>${tags.map((tag) => `#${htmlEscape(tag.name)}`).join(" ")}</p>`] : []),
  ].join("");
  return {
    id: urls.object(account, article),
    type: "Article",
    attributedTo: urls.actor(account),
    name: article.title,
    content,
    mediaType: "text/html",
    // Mastodon links the post here: the article's page on this site, one tap from the story.
    url: `${urls.publicUrl}${articlePath(article.id)}`,
    published: article.published,
    to: [PUBLIC],
    cc: [urls.followers(account)],
    tag: tags.map((tag) => ({
      type: "Hashtag",
      name: `#${tag.name}`,
      href: `${urls.publicUrl}${tag.page}`,
    })),
    ...(article.image
      ? { image: { type: "Image", url: article.image.url }, attachment: [imageOf(article)] }
      : {}),
  };
}

const imageOf = (article: Article) => ({
  type: "Image",
  url: article.image!.url,
  name: article.title,
  ...(article.image!.width ? { width: article.image!.width } : {}),
  ...(article.image!.height ? { height: article.image!.height } : {}),
});

export type PostKind = "Create" | "Update" | "Delete";

/**
 * The activity that tells followers of a post: its id is the object's with
 * the kind (and, for an edit, the version), so a retry is the same activity.
 */
export function postActivity(
  kind: PostKind,
  object: Json,
  version: string,
  published: string,
): Json {
  const id = String(object.id);
  const suffix = kind === "Update" ? `update-${version}` : kind.toLowerCase();
  return {
    "@context": ACTOR_CONTEXT,
    id: `${id}#${suffix}`,
    type: kind,
    actor: object.attributedTo,
    published,
    to: object.to,
    cc: object.cc,
    object: kind === "Delete" ? { id, type: "Tombstone" } : object,
  };
}

/** The answer to a follow: it embeds the Follow, as Mastodon matches it. */
export function acceptActivity(actor: string, follow: Json, followId: string): Json {
  return {
    "@context": CONTEXT,
    id: `${actor}#accepts/${encodeURIComponent(followId)}`,
    type: "Accept",
    actor,
    object: { id: followId, type: "Follow", actor: follow.actor, object: actor },
  };
}

export function withContext(document: Json): Json {
  return { "@context": ACTOR_CONTEXT, ...document };
}

/** WebFinger's answer for an account (RFC 7033). */
export function webfingerDocument(account: Account, urls: FederationUrls): Json {
  const actor = urls.actor(account);
  return {
    subject: `acct:${account.handle}@${urls.host()}`,
    aliases: [actor],
    links: [
      { rel: "self", type: ACTIVITY_JSON, href: actor },
      { rel: "http://webfinger.net/rel/profile-page", type: "text/html", href: actor },
    ],
  };
}

export function nodeinfoDocument(
  version: string,
  usage: { accounts: number; articles: number },
): Json {
  return {
    version: "2.1",
    software: {
      name: "feedloom",
      version,
      homepage: "https://www.npmjs.com/package/feedloom",
    },
    protocols: ["activitypub"],
    services: { inbound: [], outbound: ["atom1.0", "rss2.0"] },
    openRegistrations: false,
    usage: { users: { total: usage.accounts }, localPosts: usage.articles },
    metadata: {},
  };
}
