/** The publishing API on a Worker with bundled content only: there is nowhere to write, and it says so. */
import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

const worker = exports.default as { fetch(request: Request): Promise<Response> };
const call = (method: string, path: string, secret = "workers-api-secret-0123456789") =>
  worker.fetch(
    new Request(`http://localhost${path}`, {
      method,
      headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
      ...(method === "GET" ? {} : { body: "{}" }),
    }),
  );

it("answers a write 503, saying it needs D1, once the token is right; a wrong token is a 401", async () => {
  for (const [method, path] of [
    ["PUT", "/api/articles/2026-12-01-x"],
    ["DELETE", "/api/articles/2026-12-01-x"],
    ["POST", "/api/articles"],
    ["GET", "/api/articles"],
  ]) {
    const response = await call(method, path);
    expect(response.status, `${method} ${path}`).toBe(503);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /only with D1/,
    );
  }
  const wrong = await call("PUT", "/api/articles/2026-12-01-x", "not-the-secret-of-any-token");
  expect(wrong.status).toBe(401);
});
