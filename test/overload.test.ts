/**
 * Load shedding on Node: past its share of render time, a cache miss gets a
 * quick 503 with Retry-After; a cached feed never does. The clock is the
 * test's, and each render "costs" what a slow store makes it cost.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createLruRenderCache } from "../src/http/lru-render-cache.js";
import type { ContentStore } from "../src/index/store.js";
import { createRenderAdmission } from "../src/runtime/render-admission.js";
import { fixtureApp } from "./helpers.js";

describe("render admission", () => {
  it("admits renders up to its share of recent time, refuses the rest with 503 and Retry-After, and admits again as time passes", async () => {
    let clock = 0;
    const admission = createRenderAdmission({ share: 0.5, halfLifeMs: 100, now: () => clock });
    const render = (ms: number) => admission.run(async () => void (clock += ms));
    await render(50); // 50 ms rendered: under 0.5 · 100 / ln 2 = 72
    await render(40); // admitted at 50; then 50 decayed over 40 ms, plus 40: 78, past the limit
    const refused = await render(1).catch((error) => error);
    expect(refused.status).toBe(503);
    expect(refused.headers).toEqual({ "Retry-After": "2" });
    expect(refused.message).toMatch(/^busy: .*retry in 2 s$/);
    clock += 100; // half of it forgotten
    await expect(render(1)).resolves.toBeUndefined();
  });
});

describe("a flood of uncached URLs through the app", () => {
  it("gets 503s once renders take their share, while a cached feed is always served", async () => {
    const { store } = await fixtureApp();
    let clock = 0;
    // Each slice costs 20 ms of the test's clock: a render as slow as a big page on a busy machine.
    const slowStore: ContentStore = {
      ...store,
      slice: async (scope, query) => ((clock += 20), store.slice(scope, query)),
    };
    const app = createApp({
      store: slowStore,
      config: loadConfig({}),
      cache: createLruRenderCache({ admitOnSecondRequest: true }),
      admission: createRenderAdmission({ now: () => clock }),
    });
    for (let i = 0; i < 2; i++) expect((await app.request("/feed.rss")).status).toBe(200); // now cached
    clock += 1_000;
    const statuses: number[] = [];
    for (let limit = 1; limit <= 40; limit++) {
      const miss = await app.request(`/feed.json?limit=${limit}&q=ai`);
      statuses.push(miss.status);
      if (miss.status === 503) {
        expect(miss.headers.get("retry-after")).toBe("2");
        expect(miss.headers.get("cache-control")).toBe("no-store");
      }
      expect((await app.request("/feed.rss")).status).toBe(200);
    }
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(20);
    // A refused URL is not remembered as refused: with time to spare, it renders.
    clock += 1_000;
    expect((await app.request("/feed.json?limit=40&q=ai")).status).toBe(200);
  });
});
