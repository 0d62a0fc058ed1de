/**
 * The pages' markup, with Hono's JSX (which escapes every text and attribute).
 * Pure: data in, HTML out, no clock; dates are shown as they are stored (UTC).
 * Nothing from an article becomes markup or a live URL: text is text, and
 * only http(s) links (https for images, per the pages' CSP) are rendered.
 */
import { PREVIEW_MARK } from "../../config.js";
import { type Child, createContext, useContext } from "hono/jsx";
import type { Article } from "../../content/article.js";
import { FORMATS, FORMAT_NAMES, type FeedFormat, pagePath } from "../../scheme/paths.js";
import type { GroupInfo, GroupKind } from "../../index/store.js";
import { ASSETS } from "./assets.js";

export const FORMAT_LABELS: Record<FeedFormat, { name: string; type: string }> = {
  rss: { name: "RSS", type: "application/rss+xml" },
  atom: { name: "Atom", type: "application/atom+xml" },
  json: { name: "JSON Feed", type: "application/feed+json" },
};

export interface FeedSet {
  /** Shown in `<link rel=alternate title>` and the subscribe box. */
  title: string;
  /** Feed URL without its extension, e.g. https://host/topics/ai/feed */
  base: string;
  opml: string;
}

export const feedHref = (feeds: FeedSet, format: FeedFormat) =>
  `${feeds.base}.${FORMATS[format].extension}`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** "2022-06-30T23:48:00Z" -> "30 Jun 2022": from the stored text, never from the clock or a locale. */
export function showDate(iso: string): string {
  const [year, month, day] = iso.slice(0, 10).split("-");
  return `${Number(day)} ${MONTHS[Number(month) - 1]} ${year}`;
}

/**
 * The base path a page's own links sit under ("/feeds" when PUBLIC_URL names
 * one, else ""): Layout provides it, and every component inside reads it.
 */
export const BasePath = createContext("");
/** A root-relative path of this site, under the base path. */
const useSitePath = () => {
  const base = useContext(BasePath);
  return (path: string) => `${base}${path}`;
};

/** A link a page may carry: http(s) only. */
export const safeLink = (url: string) => (/^https?:\/\//i.test(url) ? url : undefined);
/** An image a page may load: https only (the pages' CSP allows no other). */
export const safeImage = (url: string) => (/^https:\/\//i.test(url) ? url : undefined);

export function Layout(props: {
  title: string;
  description: string;
  site: string;
  base: string;
  feeds: FeedSet[];
  canonical?: string;
  /** Endpoints to name for discovery (the home page's Micropub), as absolute URLs. */
  links?: readonly { rel: string; href: string }[];
  children: Child;
}) {
  const at = (path: string) => `${props.base}${path}`;
  // A preview's site title carries the mark: the tab shows it first, and a banner tops the page.
  const preview = props.site.startsWith(PREVIEW_MARK);
  const title = preview
    ? `${PREVIEW_MARK} ${props.title.replace(`${PREVIEW_MARK} `, "")}`
    : props.title;
  return (
    <BasePath.Provider value={props.base}>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          <meta name="description" content={props.description} />
          {props.canonical ? <link rel="canonical" href={props.canonical} /> : null}
          {(props.links ?? []).map((link) => (
            <link rel={link.rel} href={link.href} />
          ))}
          <link rel="stylesheet" href={at(ASSETS.style.path)} />
          <link rel="icon" href={at("/favicon.ico")} sizes="any" />
          {props.feeds.flatMap((feeds) =>
            FORMAT_NAMES.map((format) => (
              <link
                rel="alternate"
                type={FORMAT_LABELS[format].type}
                title={`${feeds.title} (${FORMAT_LABELS[format].name})`}
                href={feedHref(feeds, format)}
              />
            )),
          )}
          <script src={at(ASSETS.copy.path)} defer />
        </head>
        <body>
          {preview ? (
            <p role="status">
              <strong>Preview:</strong> drafts and scheduled articles are showing
              (INCLUDE_UNPUBLISHED). This is not the public site.
            </p>
          ) : null}
          <header class="site">
            <div class="wrap">
              <a class="brand" href={at("/")}>
                {props.site}
              </a>
              <nav aria-label="Main">
                <ul>
                  <li>
                    <a href={at("/")}>Home</a>
                  </li>
                  <li>
                    <a href={at("/topics/")}>Topics</a>
                  </li>
                  <li>
                    <a href={at("/providers/")}>Providers</a>
                  </li>
                </ul>
              </nav>
            </div>
          </header>
          <main class="wrap">{props.children}</main>
          <footer class="site">
            <div class="wrap">
              <p>
                Every feed comes in RSS, Atom and JSON Feed. Import them all into a feed reader:
              </p>
              <ul>
                <li>
                  <a href={at("/feeds.opml")}>all feeds (OPML)</a>
                </li>
                <li>
                  <a href={at("/topics.opml")}>topics (OPML)</a>
                </li>
                <li>
                  <a href={at("/providers.opml")}>providers (OPML)</a>
                </li>
                <li>
                  <a href={at("/sitemap.xml")}>sitemap</a>
                </li>
              </ul>
            </div>
          </footer>
        </body>
      </html>
    </BasePath.Provider>
  );
}

/** The three feed URLs in selectable fields (copy buttons appear when the script runs), and the OPML. */
/** "1 story", "3 stories": a count with its noun in the number it needs. */
export const counted = (count: number, one: string, many: string): string =>
  `${count} ${count === 1 ? one : many}`;

export function SubscribeBox(props: {
  feeds: FeedSet;
  id: string;
  heading: string;
  digests?: (FeedSet & { kind: string })[];
}) {
  const at = useSitePath();
  return (
    <section class="subscribe" aria-labelledby={`${props.id}-heading`}>
      <h2 id={`${props.id}-heading`}>{props.heading}</h2>
      {FORMAT_NAMES.map((format) => (
        <div class="field">
          <label for={`${props.id}-${format}`}>{FORMAT_LABELS[format].name}</label>
          <input
            id={`${props.id}-${format}`}
            type="text"
            readonly
            value={feedHref(props.feeds, format)}
          />
          <button
            type="button"
            data-copy={`${props.id}-${format}`}
            hidden
            aria-label={`Copy the ${FORMAT_LABELS[format].name} feed URL`}
          >
            Copy
          </button>
        </div>
      ))}
      <p>
        Paste a URL into your feed reader, or import{" "}
        <a href={at(props.feeds.opml)}>this feed as OPML</a>.
      </p>
      {props.digests?.length ? (
        <p>
          Too many articles? Follow a digest instead, the day's or the week's top stories in one
          item:{" "}
          {props.digests.map((digest, i) => (
            <>
              {i > 0 ? "; " : null}
              {digest.kind} (
              {FORMAT_NAMES.map((format, j) => (
                <>
                  {j > 0 ? ", " : null}
                  <a href={feedHref(digest, format)}>{FORMAT_LABELS[format].name}</a>
                </>
              ))}
              )
            </>
          ))}
          .
        </p>
      ) : null}
    </section>
  );
}

/** Links to the pages of recent closed days' digests, newest first. */
export function DigestLinks(props: {
  days: { label: string; path: string; count: number }[];
  heading: string;
}) {
  const at = useSitePath();
  if (props.days.length === 0) return null;
  return (
    <section aria-labelledby="digests">
      <h2 id="digests">{props.heading}</h2>
      <ul class="digests">
        {props.days.map((day) => (
          <li>
            <a href={at(day.path)}>{day.label}</a> ({day.count}{" "}
            {day.count === 1 ? "story" : "stories"})
          </li>
        ))}
      </ul>
    </section>
  );
}

/** `linkTarget` (the embed pages: "_blank") also shows providers as text, since this site's pages may not be framed. */
/** `headingLevel`: the titles' level, one below the list's own heading (2 where the list sits under the page's h1). */
export function ArticleList(props: {
  articles: Article[];
  showProvider?: boolean;
  showDate?: boolean;
  linkTarget?: "_blank";
  marked?: number;
  headingLevel?: 2 | 3;
}) {
  const Title = props.headingLevel === 2 ? "h2" : "h3";
  const target = props.linkTarget ? { target: props.linkTarget, rel: "noopener" } : {};
  const at = useSitePath();
  return (
    <ol class="articles">
      {props.articles.map((article, position) => {
        const link = safeLink(article.url);
        const image = article.image && safeImage(article.image.url);
        const inDigest = props.marked !== undefined && position < props.marked;
        return (
          <li class={inDigest ? "top" : undefined}>
            {image ? (
              <img
                src={image}
                alt=""
                loading="lazy"
                decoding="async"
                referrerpolicy="no-referrer"
                width={article.image?.width ?? 160}
                height={article.image?.height ?? 90}
              />
            ) : null}
            <Title>
              {link ? (
                <a href={link} {...target}>
                  {article.title}
                </a>
              ) : (
                article.title
              )}
            </Title>
            {props.showProvider === false && props.showDate === false ? null : (
              <p class="meta">
                {inDigest ? <strong class="badge">In the digest</strong> : null}
                {inDigest ? " · " : null}
                {props.showProvider === false ? null : props.linkTarget ? (
                  article.provider.name
                ) : (
                  <a href={at(`/providers/${encodeURIComponent(article.provider.domain)}/`)}>
                    {article.provider.name}
                  </a>
                )}
                {props.showProvider !== false && props.showDate !== false ? " · " : null}
                {props.showDate === false ? null : (
                  <time datetime={article.published}>{showDate(article.published)}</time>
                )}
              </p>
            )}
            {article.summary ? <p class="excerpt">{article.summary}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}

export function GroupTable(props: {
  kind: GroupKind;
  groups: GroupInfo[];
  origin: string;
  caption: string;
}) {
  const at = useSitePath();
  return (
    <div class="table-wrap">
      <table>
        <caption class="lead">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.kind === "topic" ? "Topic" : "Provider"}</th>
            <th scope="col" class="num">
              Articles
            </th>
            <th scope="col" class="hide-narrow">
              Newest
            </th>
            <th scope="col">Feeds</th>
          </tr>
        </thead>
        <tbody>
          {props.groups.map((group) => {
            const path = at(pagePath({ kind: props.kind, key: group.key }));
            return (
              <tr>
                <td>
                  <a href={path}>{group.name}</a>
                </td>
                <td class="num">{group.count}</td>
                <td class="hide-narrow">
                  <time datetime={group.newest}>{showDate(group.newest)}</time>
                </td>
                <td class="feeds">
                  {FORMAT_NAMES.map((format) => (
                    <a
                      href={`${path}feed.${FORMATS[format].extension}`}
                      type={FORMAT_LABELS[format].type}
                      aria-label={`${group.name}: ${FORMAT_LABELS[format].name} feed`}
                    >
                      {FORMAT_LABELS[format].name}
                    </a>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Links to the page before and after this one (paths of the site), and where this one is. */
export function Pager(props: {
  previous?: string;
  next?: string;
  position: string;
  labels: [previous: string, next: string];
}) {
  if (props.previous === undefined && props.next === undefined) return null;
  const at = useSitePath();
  return (
    <nav class="pages" aria-label="Pages">
      {props.previous !== undefined ? (
        <a href={at(props.previous)} rel="prev">
          {props.labels[0]}
        </a>
      ) : (
        <span />
      )}
      <span>{props.position}</span>
      {props.next !== undefined ? (
        <a href={at(props.next)} rel="next">
          {props.labels[1]}
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}

/** The links of page `page` of `pages`, numbered by `href`. */
export function pagerLinks(
  page: number,
  pages: number,
  href: (page: number) => string,
): { previous?: string; next?: string; position: string } {
  return {
    ...(page > 1 ? { previous: href(page - 1) } : {}),
    ...(page < pages ? { next: href(page + 1) } : {}),
    position: `Page ${page} of ${pages}`,
  };
}

/** Both ways to put this feed on another site, ready to copy: the web component, and an iframe. */
export function EmbedSnippets(props: {
  origin: string;
  jsonFeed: string;
  embedPage: string;
  title: string;
}) {
  // A message's origin is scheme, host and port: never the base path that props.origin may end with.
  const messageOrigin = new URL(props.origin).origin;
  const component = `<script type="module" src="${props.origin}/embed.js"></script>\n<feedloom-feed src="${props.jsonFeed}" limit="5"></feedloom-feed>`;
  const iframe =
    `<iframe src="${props.origin}${props.embedPage}?limit=5" title="${props.title.replace(/"/g, "&quot;")}" style="width:100%;border:0" loading="lazy"></iframe>\n` +
    `<script>addEventListener("message", (e) => { if (e.origin !== "${messageOrigin}" || e.data?.type !== "feedloom:height") return; ` +
    `for (const f of document.querySelectorAll("iframe")) if (f.contentWindow === e.source) f.style.height = e.data.height + "px"; });</script>`;
  return (
    <section aria-labelledby="embed">
      <h2 id="embed">Embed this feed</h2>
      <p>On any web page, as a web component (it reads the JSON Feed directly; no proxy):</p>
      <pre tabindex={0}>
        <code>{component}</code>
      </pre>
      <p>
        Or, where a page cannot take scripts, as an iframe (the script only sizes it to its
        content):
      </p>
      <pre tabindex={0}>
        <code>{iframe}</code>
      </pre>
    </section>
  );
}
