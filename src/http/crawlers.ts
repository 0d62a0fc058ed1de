/** What crawlers and browsers ask a site for: `/sitemap.xml` (the HTML pages), `/robots.txt`, `/favicon.ico`. */
import { EPOCH } from "../feeds/model.js";
import { pagePath } from "../scheme/paths.js";
import { ROUTES } from "../scheme/routes.js";
import { xmlEscapeAttribute } from "../feeds/xml.js";
import { respond } from "./headers.js";
import { ICON_PNG } from "./icon.js";
import type { Site } from "./site.js";

/** The sitemap protocol's limit per file (https://www.sitemaps.org/protocol.html). */
const SITEMAP_MAX_URLS = 50_000;

/**
 * An ICO file holding the PNG icon (an ICO entry may be PNG-compressed since
 * Windows Vista): 6-byte header, one 16-byte directory entry, then the PNG.
 */
function icoOf(png: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const ico = new Uint8Array(22 + png.byteLength);
  const view = new DataView(ico.buffer);
  view.setUint16(2, 1, true); // type: icon
  view.setUint16(4, 1, true); // one image
  ico[6] = size >= 256 ? 0 : size; // width (0 means 256)
  ico[7] = size >= 256 ? 0 : size; // height
  view.setUint16(10, 1, true); // colour planes
  view.setUint16(12, 32, true); // bits per pixel
  view.setUint32(14, png.byteLength, true);
  view.setUint32(18, 22, true); // offset of the image
  ico.set(png, 22);
  return ico;
}
const FAVICON = icoOf(ICON_PNG, 144);

export function crawlerRoutes(site: Site): void {
  const { store } = site;

  site.route(ROUTES.sitemap, (c) =>
    site.send(c, "/sitemap.xml", async () => {
      const origin = site.origin(c);
      const [overview, topics, providers] = await Promise.all([
        store.overview(),
        store.groups("topic"),
        store.groups("provider"),
      ]);
      const newest = overview.newest ?? EPOCH;
      const entries: [string, string][] = [
        ["/", newest],
        ["/topics/", newest],
        ["/providers/", newest],
        ...topics.map((group): [string, string] => [
          pagePath({ kind: "topic", key: group.key }),
          group.newest,
        ]),
        ...providers.map((group): [string, string] => [
          pagePath({ kind: "provider", key: group.key }),
          group.newest,
        ]),
      ].slice(0, SITEMAP_MAX_URLS) as [string, string][];
      const body = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ...entries.map(
          ([path, updated]) =>
            `<url><loc>${xmlEscapeAttribute(`${origin}${path}`)}</loc><lastmod>${updated}</lastmod></url>`,
        ),
        "</urlset>",
        "",
      ].join("\n");
      return { body, contentType: "application/xml; charset=utf-8", updated: newest };
    }),
  );

  site.route(ROUTES.robots, (c) =>
    site.send(c, "/robots.txt", async () => ({
      body: `User-agent: *\nAllow: /\nSitemap: ${site.origin(c)}/sitemap.xml\n`,
      contentType: "text/plain; charset=utf-8",
      updated: EPOCH,
    })),
  );

  site.route(ROUTES.favicon, () =>
    respond(FAVICON, 200, {
      "Content-Type": "image/x-icon",
      "Cache-Control": "public, max-age=604800",
    }),
  );
}
