/**
 * Cloudflare Workers entry: the content bundle that npm run build wrote,
 * imported as a Text module (see wrangler.toml), served by the shared app.
 */
import bundleJson from "../../generated/content.txt";
import { createWorker } from "./worker-app.js";

export default createWorker(bundleJson);
