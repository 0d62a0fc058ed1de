/**
 * The Worker: a Hono app with feedloom mounted at {{mount}}. Routes of your own go beside it;
 * every link feedloom makes stays under {{mount}}.
 */
import { Hono } from "hono";
import { feedloom } from "feedloom";
import content from "../generated/content.txt";

const app = new Hono();
app.route("{{mount}}", feedloom({ content }));

export default app;
