/**
 * Federation's routes, on the paths the URL scheme declares: WebFinger and
 * NodeInfo, each account's actor on its feed's page (by content
 * negotiation), outbox, followers count and posts, and the inboxes. Without
 * FEDERATION=on none of them is installed, so they are plain 404s.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { GENERATOR } from "../feeds/model.js";
import type { AppExtension } from "../http/app.js";
import { PRIVATE } from "../http/guard.js";
import { respond } from "../http/headers.js";
import { type Site, pathOf, searchOf } from "../http/site.js";
import type { GroupKind, StoreScope } from "../index/store.js";
import { ARTICLES_PER_PAGE, pageCount } from "../scheme/paging.js";
import { articlePath } from "../scheme/paths.js";
import { ROUTES } from "../scheme/routes.js";
import { type Account, accountOf, accountsPosting } from "./accounts.js";
import { acceptsActivity } from "./negotiation.js";
import { type Federation, InboxError } from "./federation.js";
import {
  ACTIVITY_JSON,
  type Json,
  actorDocument,
  articleObject,
  nodeinfoDocument,
  postActivity,
  webfingerDocument,
  withContext,
} from "./vocabulary.js";

/** An activity is a few kB; Mastodon's own limit is 1 MB, ours is stricter. */
const INBOX_LIMIT_BYTES = 256 * 1024;
const NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1";
/** Documents of the content alone may be cached briefly, by anyone (and replayed by the Node server's fast path). */
const SHORT_CACHE = "public, max-age=60";
/**
 * The follower count changes with the state, not the content: cached briefly, but not marked public,
 * which is what the fast path replays (runtime/replay.ts) until the content changes.
 */
const STATE_CACHE = "max-age=60";

/** What a fediverse server asks for: ActivityStreams JSON (either media type). */
export const wantsActivity = (c: Context): boolean => acceptsActivity(c.req.header("accept"));

const activityJson = (document: Json, status = 200, headers: Record<string, string> = {}) =>
  respond(JSON.stringify(document), status, {
    "Content-Type": `${ACTIVITY_JSON}; charset=utf-8`,
    "Cache-Control": SHORT_CACHE,
    ...headers,
  });

const problem = (status: number, message: string) =>
  respond(JSON.stringify({ error: message }), status, {
    ...PRIVATE,
    "Content-Type": "application/json; charset=utf-8",
  });

export function federationRoutes(federation: Federation): AppExtension {
  const { urls } = federation;
  return {
    install(site: Site) {
      const accounts = () => federation.accounts(site.store);
      const account = async (c: Context): Promise<Account | Response> =>
        (await accounts()).get(c.req.param("handle") ?? "") ??
        problem(404, `no account ${JSON.stringify(c.req.param("handle"))} here`);
      const actorOf = async (scope: StoreScope, c: Context) => {
        const found = accountOf(scope, await accounts());
        if (!found) return problem(404, `no account for ${pathOf(c.req.url)}`);
        const logo = found.group?.logo?.url;
        return activityJson(
          actorDocument(found, urls, {
            summary:
              found.scope.kind === "all"
                ? site.config.siteDescription
                : `News about ${found.name}, from ${site.config.siteTitle}.`,
            ...(logo && /^https:/.test(logo) ? { icon: logo } : {}),
            publicKeyPem: (await federation.options.keys()).publicKeyPem,
          }),
          200,
          { Vary: "Accept" },
        );
      };
      site.alternate(ROUTES.home, wantsActivity, (c) => actorOf({ kind: "all" }, c));
      site.alternate(ROUTES.groupPage, wantsActivity, (c, { kind }: { kind: GroupKind }) =>
        actorOf({ kind, key: c.req.param("key") ?? "" }, c),
      );

      site.route(ROUTES.webfinger, async (c) => {
        const resource = c.req.query("resource");
        if (!resource) return problem(400, "ask for ?resource=acct:name@host (or an actor's URL)");
        const [, name, host] = /^acct:([^@]+)@(.+)$/i.exec(resource) ?? [];
        const all = await accounts();
        const found = name
          ? host.toLowerCase() === urls.host().toLowerCase()
            ? all.get(name.toLowerCase())
            : undefined
          : [...all.values()].find((candidate) => urls.actor(candidate) === resource);
        if (!found) return problem(404, `no account ${JSON.stringify(resource)} here`);
        return respond(JSON.stringify(webfingerDocument(found, urls)), 200, {
          "Content-Type": "application/jrd+json; charset=utf-8",
          "Cache-Control": SHORT_CACHE,
        });
      });
      site.route(ROUTES.nodeinfoLinks, () =>
        respond(
          JSON.stringify({
            links: [{ rel: NODEINFO_SCHEMA, href: `${urls.publicUrl}/nodeinfo/2.1` }],
          }),
          200,
          {
            "Content-Type": "application/json; charset=utf-8",
            "Cache-Control": SHORT_CACHE,
          },
        ),
      );
      site.route(ROUTES.nodeinfo, async () => {
        const { articles } = await site.store.overview();
        return respond(
          JSON.stringify(
            nodeinfoDocument(GENERATOR.version, { accounts: (await accounts()).size, articles }),
          ),
          200,
          {
            "Content-Type": `application/json; profile="${NODEINFO_SCHEMA}#"; charset=utf-8`,
            "Cache-Control": SHORT_CACHE,
          },
        );
      });

      site.route(ROUTES.actorFollowers, async (c) => {
        const found = await account(c);
        if (found instanceof Response) return found;
        // A count, never the list: who follows a feed is the followers' business.
        return activityJson(
          withContext({
            id: urls.followers(found),
            type: "OrderedCollection",
            totalItems: await federation.options.state.followerCount(found.handle),
          }),
          200,
          { "Cache-Control": STATE_CACHE },
        );
      });
      site.route(ROUTES.actorOutbox, async (c) => {
        const found = await account(c);
        if (found instanceof Response) return found;
        return activityJson(await outbox(site, federation, found, c.req.query("page")));
      });
      site.route(ROUTES.actorPost, async (c) => {
        const found = await account(c);
        if (found instanceof Response) return found;
        const article = await site.store.article(`urn:uuid:${c.req.param("id") ?? ""}`);
        if (!article || !accountsPosting(article, await accounts()).includes(found))
          return problem(404, `no post ${JSON.stringify(c.req.param("id"))} of ${found.handle}`);
        // A browser is sent to the article's page.
        if (!wantsActivity(c))
          return respond(null, 303, {
            Location: `${urls.publicUrl}${articlePath(article.id)}`,
            Vary: "Accept",
            "Cache-Control": SHORT_CACHE,
          });
        return activityJson(withContext(articleObject(found, article, urls)), 200, {
          Vary: "Accept",
        });
      });

      const inboxLimit = bodyLimit({
        maxSize: INBOX_LIMIT_BYTES,
        onError: () => problem(413, `an activity must be at most ${INBOX_LIMIT_BYTES / 1024} kB`),
      });
      site.route(ROUTES.inbox, () => {
        const refused = problem(405, "an inbox takes signed ActivityPub activities by POST");
        refused.headers.set("Allow", "POST");
        return refused;
      });
      site.write(ROUTES.inbox, "POST", inboxLimit, async (c) => {
        if (c.req.param("handle") !== undefined) {
          const found = await account(c);
          if (found instanceof Response) return found;
        }
        const headers = Object.fromEntries(
          [...c.req.raw.headers].map(([name, value]) => [name.toLowerCase(), value]),
        );
        try {
          await federation.receive(
            {
              method: "POST",
              // As the sender addressed it: PUBLIC_URL's origin, whatever proxy stands between.
              url: `${new URL(urls.publicUrl).origin}${pathOf(c.req.url)}${searchOf(c.req.url)}`,
              headers,
              body: new Uint8Array(await c.req.arrayBuffer()),
            },
            site.store,
          );
        } catch (error) {
          if (error instanceof InboxError) return problem(error.status, error.message);
          throw error;
        }
        return respond(null, 202, PRIVATE);
      });
    },
  };
}

async function outbox(
  site: Site,
  federation: Federation,
  account: Account,
  page: string | undefined,
): Promise<Json> {
  const id = federation.urls.outbox(account);
  const number = Number(page);
  if (page === undefined || !Number.isInteger(number) || number < 1) {
    const { total } = await site.store.slice(account.scope, { limit: 1, page: 1 });
    const last = Math.max(1, pageCount(total, ARTICLES_PER_PAGE));
    return withContext({
      id,
      type: "OrderedCollection",
      totalItems: total,
      first: `${id}?page=1`,
      last: `${id}?page=${last}`,
    });
  }
  const slice = await site.store.slice(account.scope, { limit: ARTICLES_PER_PAGE, page: number });
  const pages = pageCount(slice.total, ARTICLES_PER_PAGE);
  return withContext({
    id: `${id}?page=${number}`,
    type: "OrderedCollectionPage",
    partOf: id,
    totalItems: slice.total,
    ...(number < pages ? { next: `${id}?page=${number + 1}` } : {}),
    ...(number > 1 ? { prev: `${id}?page=${number - 1}` } : {}),
    orderedItems: slice.articles.map((article) => {
      const { "@context": _, ...activity } = postActivity(
        "Create",
        articleObject(account, article, federation.urls),
        "",
        article.published,
      );
      return activity;
    }),
  });
}
