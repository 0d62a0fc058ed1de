/**
 * Embedding a feed in someone else's page: `/embed.js` (the web component)
 * and the iframe pages `/embed/`, `/embed/topics/{key}/`, `/embed/providers/{key}/`
 * for hosts that cannot add scripts. Only these pages may be framed
 * (EMBED_ANCESTORS, default anyone); every other response keeps
 * `frame-ancestors 'none'`.
 */
import type { Context } from "hono";
import { EPOCH } from "../../feeds/model.js";
import { FORMATS, feedPath, pagePath } from "../../scheme/paths.js";
import type { StoreScope } from "../../index/store.js";
import { HttpError } from "../errors.js";
import { ROUTES } from "../../scheme/routes.js";
import { findGroup } from "../groups.js";
import { hashedAsset } from "../pages/assets.js";
import { ArticleList } from "../pages/view.js";
import type { Site } from "../site.js";
import { searchOf } from "../site.js";
import { EMBED_COMPONENT, EMBED_RESIZE } from "./component.js";

const EMBED_STYLE = `:root{color-scheme:light dark}*{box-sizing:border-box}
body{margin:0;padding:.5rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:transparent;color:CanvasText}
h1{font-size:1rem;margin:0 0 .5rem}a{color:LinkText;text-underline-offset:2px}a:focus-visible{outline:2px solid currentColor;outline-offset:2px}
ol{list-style:none;margin:0;padding:0;display:grid;gap:.6rem}li{display:flow-root;border-bottom:1px solid color-mix(in srgb,currentColor 18%,transparent);padding-bottom:.6rem}
.cards ol{grid-template-columns:repeat(auto-fill,minmax(12rem,1fr))}.cards li{border:1px solid color-mix(in srgb,currentColor 18%,transparent);border-radius:.4rem;padding:.6rem}
h2{font-size:1em;margin:0}.meta{font-size:.85em;opacity:.8;margin:.15rem 0 0}.excerpt{margin:.3rem 0 0;overflow-wrap:anywhere}
img{float:right;width:5.5rem;height:auto;margin:0 0 .25rem .6rem;border-radius:.3rem}.cards img{float:none;width:100%;margin:0 0 .4rem}
`;
export const EMBED_ASSETS = {
  style: hashedAsset("embed", "css", EMBED_STYLE),
  resize: hashedAsset("embed-resize", "js", EMBED_RESIZE),
} as const;

export interface EmbedOptions {
  limit: number;
  layout: "list" | "cards";
  image: boolean;
  excerpt: boolean;
  date: boolean;
  provider: boolean;
}

/** The widget's options from a query string: the same names and defaults as the component's attributes. */
export function embedOptions(params: URLSearchParams): EmbedOptions {
  const limitText = params.get("limit") ?? "5";
  const limit = /^\d{1,2}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= 50))
    throw new HttpError(400, "limit: must be a whole number from 1 to 50");
  const layout = params.get("layout") ?? "list";
  if (layout !== "list" && layout !== "cards")
    throw new HttpError(400, "layout: must be list or cards");
  const flag = (name: string, fallback: boolean) => {
    const value = params.get(name);
    if (value === null) return fallback;
    if (/^(true|yes|on|1)$/i.test(value)) return true;
    if (/^(false|no|off|0)$/i.test(value)) return false;
    throw new HttpError(400, `${name}: must be true or false`);
  };
  const cards = layout === "cards";
  return {
    limit,
    layout,
    image: flag("image", cards),
    excerpt: flag("excerpt", cards),
    date: flag("date", true),
    provider: flag("provider", true),
  };
}

export function embedRoutes(site: Site): void {
  const { store, config } = site;
  const csp = `default-src 'none'; style-src 'self'; script-src 'self'; img-src https:; base-uri 'none'; form-action 'none'; frame-ancestors ${config.embedAncestors}`;

  site.route(ROUTES.embedScript, (c) =>
    site.send(c, "/embed.js", async () => ({
      body: EMBED_COMPONENT,
      contentType: "text/javascript; charset=utf-8",
      updated: EPOCH,
    })),
  );

  const embedPage = (c: Context, scope: StoreScope, title: string) => {
    const options = embedOptions(new URLSearchParams(searchOf(c.req.url).slice(1)));
    const key = `/embed${pagePath(scope)}?${new URLSearchParams(Object.entries(options).map(([name, value]) => [name, String(value)]))}`;
    return site.send(c, key, async () => {
      const origin = site.origin(c);
      const slice = await store.slice(scope, { limit: options.limit, page: 1 });
      const articles = slice.articles.map((article) => ({
        ...article,
        summary: options.excerpt ? article.summary : "",
        ...(options.image ? {} : { image: undefined }),
      }));
      const page = (
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>{title}</title>
            <link rel="stylesheet" href={`${config.basePath}${EMBED_ASSETS.style.path}`} />
            <link
              rel="alternate"
              type="application/feed+json"
              title={title}
              href={`${origin}${feedPath(scope)}.${FORMATS.json.extension}`}
            />
            <script src={`${config.basePath}${EMBED_ASSETS.resize.path}`} defer />
          </head>
          <body class={options.layout}>
            <main>
              <h1>
                <a href={`${origin}${pagePath(scope)}`} target="_blank" rel="noopener">
                  {title}
                </a>
              </h1>
              {articles.length === 0 ? (
                <p>No articles yet.</p>
              ) : (
                <ArticleList
                  articles={articles}
                  showProvider={options.provider}
                  showDate={options.date}
                  linkTarget="_blank"
                  headingLevel={2}
                />
              )}
            </main>
          </body>
        </html>
      );
      return {
        body: `<!DOCTYPE html>${page.toString()}\n`,
        contentType: "text/html; charset=utf-8",
        updated: slice.newest ?? EPOCH,
        headers: { "Content-Security-Policy": csp, "X-Frame-Options": "" },
      };
    });
  };

  site.route(ROUTES.embedPage, async (c, { kind }) => {
    if (kind === "all") return embedPage(c, { kind }, config.siteTitle);
    const group = await findGroup(c, site, kind, "/", "/embed");
    if (group instanceof Response) return group;
    return embedPage(c, { kind, key: group.key }, `${config.siteTitle}: ${group.name}`);
  });
}
