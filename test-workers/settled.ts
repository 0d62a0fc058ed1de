/**
 * The Worker's answer, and then the work it left to waitUntil (the edge-cache
 * put, the statistics' count) done: tests wait for that effect itself, never
 * for a span of time.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../src/entry/worker.js";

export async function fetchSettled(
  request: Request,
): Promise<{ response: Response; body: string }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, body };
}
