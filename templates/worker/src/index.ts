/**
 * The Worker: a Hono app with feedloom mounted at {{mount}}. Routes of your own go beside it;
 * every link feedloom makes stays under {{mount}}. `scheduled` answers the Cron Trigger of
 * wrangler.toml (WebSub announcements of scheduled articles and digests, and fediverse rounds).
 */
import { Hono } from "hono";
import { feedloom } from "feedloom";
import content from "../generated/content.txt";

const app = new Hono();
const news = feedloom({ content });
app.route("{{mount}}", news);

export default { fetch: app.fetch, scheduled: news.scheduled };
