/**
 * Statistics in workerd on D1 (miniflare's local SQLite): the same report as
 * Node's sql.js for the same requests, and the Worker counting a real request
 * after its answer, shown on /stats.json to the token only.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { D1Like } from "../../src/sources/d1-store.js";
import { createStatsCounter } from "../../src/stats/counter.js";
import { d1Database } from "../../src/stats/d1.js";
import { createStatsStore } from "../../src/stats/store.js";
import { SCENARIO_TODAY, runScenario } from "../stats-scenario.js";
import { fetchSettled } from "../settled.js";

const worker = exports.default as { fetch(request: Request): Promise<Response> };
const { DB, LARGE, STATS_TOKEN } = env as unknown as {
  DB: D1Like;
  LARGE: D1Like;
  STATS_TOKEN: string;
};

describe("statistics on D1", () => {
  it("report what Node reports for the same requests", async () => {
    const store = createStatsStore(d1Database(LARGE), { retentionDays: 90, claimCeiling: 1000 });
    await runScenario(createStatsCounter(store, ""));
    const report = await store.report(SCENARIO_TODAY);
    expect(report.length).toBe(2);
    expect(report).toEqual(inject("statsReport"));
  });

  it("count a feed request through the Worker, after its answer, and show it to the token alone", async () => {
    const headers = {
      "User-Agent": "Mozilla/5.0 (compatible; inoreader.com; 114 subscribers)",
      "CF-Connecting-IP": "203.0.113.20",
    };
    // Counted in waitUntil, after the answer: settled, the count is there.
    const { response: counted } = await fetchSettled(
      new Request("http://localhost/feed.atom", { headers }),
    );
    expect(counted.status).toBe(200);
    expect((await worker.fetch(new Request("http://localhost/stats.json"))).status).toBe(401);
    const response = await worker.fetch(
      new Request("http://localhost/stats.json", {
        headers: { Authorization: `Bearer ${STATS_TOKEN}` },
      }),
    );
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    const { feeds } = (await response.json()) as {
      feeds: { path: string; aggregators: Record<string, number> }[];
    };
    expect(feeds).toMatchObject([{ path: "/feed.atom", aggregators: { Inoreader: 114 } }]);
    const rows = await DB.prepare("SELECT COUNT(*) AS n FROM stats_claims").first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });
});
