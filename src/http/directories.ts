/** The lists a client starts from: `/topics.json`, `/providers.json`, `/` as JSON (see pages/), and the default icon. */
import type { Context } from "hono";
import { EPOCH, feedUrls } from "../feeds/model.js";
import { SEGMENT, feedPath } from "../scheme/paths.js";
import { ROUTES } from "../scheme/routes.js";
import { digestUrls } from "./digest-links.js";
import { respond } from "./headers.js";
import { ICON_PNG } from "./icon.js";
import type { RenderedBody, Site } from "./site.js";

const JSON_TYPE = "application/json; charset=utf-8";

export function directoryRoutes(site: Site): void {
  const { store } = site;

  site.route(ROUTES.directoryJson, (c, { kind }) => {
    const name = SEGMENT[kind];
    return site.send(c, `/${name}.json`, async () => {
      const origin = site.origin(c);
      const entries = (await store.groups(kind)).map((group) => ({
        name: group.name,
        key: group.key,
        count: group.count,
        newest: group.newest,
        feeds: feedUrls(origin, feedPath({ kind, key: group.key })),
        ...(kind === "topic" ? { digests: digestUrls(origin, { kind, key: group.key }) } : {}),
      }));
      const updated = entries.reduce(
        (newest, entry) => (entry.newest > newest ? entry.newest : newest),
        EPOCH,
      );
      return { body: `${JSON.stringify({ [name]: entries })}\n`, contentType: JSON_TYPE, updated };
    });
  });

  site.route(ROUTES.icon, () =>
    respond(ICON_PNG, 200, {
      "Content-Type": "image/png",
      "Cache-Control": "public, max-age=604800",
    }),
  );
}

/** `/` for clients that ask for JSON: the summary it has always been. */
export async function jsonSummary(site: Site, c: Context): Promise<RenderedBody> {
  const { store, config } = site;
  const origin = site.origin(c);
  const overview = await store.overview();
  const body = {
    title: config.siteTitle,
    description: config.siteDescription,
    feeds: feedUrls(origin, "/feed"),
    digests: digestUrls(origin, { kind: "all" }),
    topics: `${origin}/topics.json`,
    providers: `${origin}/providers.json`,
    articles: overview.articles,
  };
  return {
    body: `${JSON.stringify(body, null, 2)}\n`,
    contentType: JSON_TYPE,
    updated: overview.newest ?? EPOCH,
  };
}
