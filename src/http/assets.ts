/**
 * The hashed assets, the pages' and the embed widget's, under one route
 * (`/assets/:file`): a name that is no asset of this version is a 404, and
 * each is cached for a year, since a change is a new name.
 */
import { EPOCH } from "../feeds/model.js";
import { ROUTES } from "../scheme/routes.js";
import { EMBED_ASSETS } from "./embed/routes.js";
import { HttpError, clip } from "./errors.js";
import { IMMUTABLE } from "./headers.js";
import { ASSETS } from "./pages/assets.js";
import type { Site } from "./site.js";

export const SITE_ASSETS = [...Object.values(ASSETS), ...Object.values(EMBED_ASSETS)];
const BY_PATH = new Map(SITE_ASSETS.map((asset) => [asset.path, asset]));

export function assetRoutes(site: Site): void {
  site.route(ROUTES.asset, (c) => {
    const path = `/assets/${c.req.param("file")}`;
    const asset = BY_PATH.get(path);
    if (!asset)
      throw new HttpError(
        404,
        `${clip(path)} is no asset of this version: asset names change with their content; reload the page that linked it`,
      );
    return site.send(c, asset.path, async () => ({
      body: asset.body,
      contentType: asset.contentType,
      updated: EPOCH,
      headers: { "Cache-Control": IMMUTABLE },
    }));
  });
}
