/**
 * `_headers` for static hosts, from the app's own responses, so that the
 * static site sends the live service's CORS, security and caching headers.
 * Rules for everything, then for the routes the URL scheme declares
 * immutable (the hashed assets and the complete feed archives, cached for a
 * year: only complete archives are files) and framable (the embed pages), in
 * the scheme's own patterns: both hosts match `:name` as one path segment.
 * Content types are left to the host, which infers them from the file extensions.
 *
 * Cloudflare Pages joins the values of a header set by several matching rules,
 * so its narrower rules first drop the broad one's with `! Name`. Netlify lets
 * the most specific rule win and rejects `!` lines: its file has none.
 * Files that are not HTML (feeds, the stylesheet and scripts) get the pages'
 * Content-Security-Policy there, one rule covering all: it is stricter than
 * they need, and they load nothing under it either way.
 */
import { IMMUTABLE } from "../http/headers.js";
import { patternsWhere } from "../scheme/routes.js";

export type HeadersHost = "cloudflare" | "netlify";

interface App {
  request(url: string): Response | Promise<Response>;
}

/** Headers every static response shares, as the live service sends them. */
const SHARED = [
  "Access-Control-Allow-Origin",
  "Access-Control-Expose-Headers",
  "X-Content-Type-Options",
  "Cross-Origin-Resource-Policy",
  "Referrer-Policy",
  "Strict-Transport-Security",
  "X-Permitted-Cross-Domain-Policies",
  // A preview's: its files are not for search engines either.
  "X-Robots-Tag",
];

/**
 * `site` is PUBLIC_URL and its path: when it has one (https://you.github.io/feeds),
 * the rules name it too, since hosts match them against request paths.
 */
export async function headersFile(
  app: App,
  site: { publicUrl: string; basePath: string },
  paths: { page: string; feed: string; embed: string },
  host: HeadersHost,
): Promise<string> {
  const base = site.basePath;
  const live = async (path: string) => (await app.request(`${site.publicUrl}${path}`)).headers;
  const [page, feed, embed] = await Promise.all([
    live(paths.page),
    live(paths.feed),
    live(paths.embed),
  ]);
  const line = (name: string, value: string | null) =>
    value === null ? [] : [`  ${name}: ${value}`];
  const drop = (name: string) => (host === "cloudflare" ? [`  ! ${name}`] : []);
  return [
    "# Written by npm run export: the live service's headers for a static host.",
    `${base}/*`,
    ...SHARED.flatMap((name) => line(name, page.get(name))),
    ...line("Content-Security-Policy", page.get("content-security-policy")),
    ...line("X-Frame-Options", page.get("x-frame-options")),
    ...line("Cache-Control", feed.get("cache-control")),
    ...patternsWhere("immutable").flatMap((pattern) => [
      `${base}${pattern}`,
      ...drop("Cache-Control"),
      ...line("Cache-Control", IMMUTABLE),
    ]),
    ...patternsWhere("framable").flatMap((pattern) => [
      `${base}${pattern}`,
      ...drop("Content-Security-Policy"),
      ...drop("X-Frame-Options"),
      // On Netlify the broad rule's X-Frame-Options stays; browsers let CSP frame-ancestors override it (CSP Level 3).
      ...line("Content-Security-Policy", embed.get("content-security-policy")),
    ]),
    "",
  ].join("\n");
}
