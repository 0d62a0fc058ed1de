/**
 * Digests: a feed per scope (everything, each topic) and kind (daily, weekly)
 * whose items are closed periods' top stories, and a page per period with
 * every story of it, ranked. Which periods are closed depends on the store's
 * instant, so the render key names the latest closed period: it rolls over
 * at local midnight with no deploy.
 */
import type { Context } from "hono";
import {
  type DigestKind,
  type Period,
  closedPeriods,
  currentPeriod,
  periodOfKey,
  withArticles,
  digestPeriods,
} from "../index/digest.js";
import { buildDigestFeed, periodLabel, scopeName } from "../feeds/digest.js";
import { digestPagePath, digestPath, type FeedFormat, ICON_PATH } from "../scheme/paths.js";
import type { FeedScope } from "../feeds/model.js";
import { renderedFeed } from "./feeds.js";
import { HttpError, clip } from "./errors.js";
import { findScope } from "./groups.js";
import { ROUTES } from "../scheme/routes.js";
import { PAGE_CSP } from "./pages/routes.js";
import { ArticleList, Layout, Pager, SubscribeBox, counted } from "./pages/view.js";
import type { Site } from "./site.js";
import { digestFeedSets } from "./digest-links.js";

const HTML_TYPE = "text/html; charset=utf-8";

export function digestRoutes(site: Site): void {
  const { store, config } = site;
  const zone = config.digestTimeZone;

  const sendFeed = (c: Context, scope: FeedScope, kind: DigestKind, format: FeedFormat) => {
    // The key need not name the periods: site.send's names the day and the content's version.
    return site.send(c, `${digestPath(scope, kind)}.${format}`, async () => {
      const base = site.origin(c);
      const periods = await digestPeriods(store, scope, kind, zone);
      const feed = buildDigestFeed(scope, kind, periods, {
        config,
        origin: base,
        defaultIcon: `${base}${ICON_PATH}`,
      });
      return renderedFeed(feed, format, site.fragments);
    });
  };

  const sendPage = (c: Context, scope: FeedScope, kind: DigestKind) => {
    const key = c.req.param("period") ?? "";
    const period = periodOfKey(kind, key, zone);
    if (!period)
      throw new HttpError(
        404,
        `${clip(key)} is no ${kind === "daily" ? "day (2026-11-17)" : "ISO week (2026-W47)"}`,
      );
    if (period.end > currentPeriod(kind, store.instant(), zone).start)
      throw new HttpError(
        404,
        `${period.key} is not over yet: a digest covers only closed periods`,
      );
    return site.send(c, digestPagePath(scope, kind, period.key), async () => {
      const origin = site.origin(c);
      const [{ ranked }] = await withArticles(store, scope, [period]);
      if (ranked.length === 0)
        throw new HttpError(
          404,
          `no articles ${scope.kind === "all" ? "" : `about ${scope.name} `}in ${periodLabel(period)}`,
        );
      const hasStories = async (neighbour: Period) =>
        (await withArticles(store, scope, [neighbour]))[0].ranked.length > 0;
      const name = scopeName(scope, config);
      // The site's own digest is named by its period alone: the site's title follows it.
      const title = scope.kind === "all" ? periodLabel(period) : `${name}, ${periodLabel(period)}`;
      const top = Math.min(config.digestSize, ranked.length);
      const [feeds] = digestFeedSets(
        origin,
        scope,
        scope.kind === "all" ? config.siteTitle : `${config.siteTitle}: ${name}`,
      ).filter((set) => set.kind === kind);
      // The periods beside it, when they have a page: closed, with stories (as the export writes them).
      const before = closedPeriods(kind, period.start, zone, 1)[0];
      const after = currentPeriod(kind, period.end, zone);
      const afterIsClosed = after.end <= currentPeriod(kind, store.instant(), zone).start;
      const [older, newer] = await Promise.all([
        hasStories(before),
        afterIsClosed ? hasStories(after) : false,
      ]);
      const page = (
        <Layout
          title={`${title}: ${config.siteTitle}`}
          description={`The ${counted(ranked.length, "story", "stories")} ${scope.kind === "all" ? "" : `about ${name} `}of ${periodLabel(period)}, ranked.`}
          site={config.siteTitle}
          base={config.basePath}
          feeds={[feeds]}
          canonical={`${origin}${digestPagePath(scope, kind, period.key)}`}
        >
          <h1>{title}</h1>
          <p class="lead">
            {counted(ranked.length, "story", "stories")}, ranked by how much each is covered, then
            by quality. {top === 1 ? "The top story is" : `The top ${top} are`} in the {kind}{" "}
            digest.
          </p>
          <section aria-labelledby="ranked">
            <h2 id="ranked">Ranked</h2>
            <ArticleList articles={ranked} showProvider={true} marked={top} />
          </section>
          <Pager
            previous={newer ? digestPagePath(scope, kind, after.key) : undefined}
            next={older ? digestPagePath(scope, kind, before.key) : undefined}
            position={periodLabel(period)}
            labels={[`← ${periodLabel(after)}`, `${periodLabel(before)} →`]}
          />
          <SubscribeBox feeds={feeds} id="digest" heading={`Subscribe to the ${kind} digest`} />
        </Layout>
      );
      const newest = ranked.reduce(
        (latest, article) => (article.published > latest ? article.published : latest),
        ranked[0].published,
      );
      return {
        body: `<!DOCTYPE html>${page.toString()}\n`,
        contentType: HTML_TYPE,
        updated: newest,
        headers: { "Content-Security-Policy": PAGE_CSP },
      };
    });
  };

  site.route(ROUTES.digestFeed, async (c, { kind, digest, format }) => {
    const found = await findScope(c, site, kind, `/digest/${digest}.${format}`);
    return found instanceof Response ? found : sendFeed(c, found.scope, digest, format);
  });
  site.route(ROUTES.digestPage, async (c, { kind, digest }) => {
    const found = await findScope(c, site, kind, `/digest/${digest}/${c.req.param("period")}/`);
    return found instanceof Response ? found : sendPage(c, found.scope, digest);
  });
}
