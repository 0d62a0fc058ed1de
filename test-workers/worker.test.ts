/** The Worker inside workerd: every route and format, HTTP semantics, the edge cache, and identity with Node. */
import { env, exports } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { itServesDigestsAsNode, itServesWhatNodeServes } from "./same-as-node.js";
import { loadConfig } from "../src/config.js";
import type { ContentBundle } from "../src/sources/bundle.js";
import { edgeCacheKey, withEdgeCache } from "../src/runtime/edge-cache.js";
import { fetchSettled } from "./settled.js";
import { ASSETS } from "../src/http/pages/assets.js";

const worker = exports.default as { fetch(request: Request): Promise<Response> };
const get = (path: string, init?: RequestInit) =>
  worker.fetch(new Request(`http://localhost${path}`, init));

describe("the Worker serves what Node serves", () => {
  it("reads the same configuration from its vars as Node from its defaults", () => {
    expect(loadConfig(env as Record<string, string>)).toEqual(inject("nodeConfig"));
  });

  itServesWhatNodeServes(get);
});

describe("the Worker's digests are Node's", () => {
  itServesDigestsAsNode(get);
});

describe("feeds in workerd", () => {
  it.each(["rss", "atom", "json"])(
    "/feed.%s lists the published sample articles, newest first",
    async (format) => {
      const response = await get(`/feed.${format}`);
      expect(response.status).toBe(200);
      const body = await response.text();
      const dates =
        format === "json"
          ? JSON.parse(body).items.map((item: { date_published: string }) => item.date_published)
          : [
              ...body.matchAll(
                format === "rss"
                  ? /<pubDate>([^<]+)<\/pubDate>/g
                  : /<published>([^<]+)<\/published>/g,
              ),
            ].map((match) => new Date(match[1]).toISOString());
      expect(dates.length).toBeGreaterThan(0);
      expect(dates).toEqual([...dates].sort().reverse());
      expect(body).not.toContain("secured");
    },
  );

  it("answers If-None-Match with 304 and HEAD with no body", async () => {
    const first = await get("/topics/ai/feed.atom");
    const etag = first.headers.get("etag")!;
    const again = await get("/topics/ai/feed.atom", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const head = await get("/topics/ai/feed.atom", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe(etag);
    expect(head.headers.get("content-length")).toBe(
      String(new TextEncoder().encode(await first.text()).byteLength),
    );
    expect(await head.text()).toBe("");
  });

  it("answers CORS preflight and rejects bad parameters with a 400", async () => {
    const preflight = await get("/feed.json", {
      method: "OPTIONS",
      headers: { Origin: "https://site.example", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await get("/no/such/path", { method: "OPTIONS" })).status).toBe(404);
    const bad = await get("/feed.json?since=never");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/^since: /);
  });

  it("pages through a feed by next_url without gaps or repeats", async () => {
    const all = (await (await get("/feed.json")).json()).items.map(
      (item: { id: string }) => item.id,
    );
    const seen: string[] = [];
    for (let url: string | undefined = "http://localhost/feed.json?limit=1"; url;) {
      const page = (await (await worker.fetch(new Request(url))).json()) as {
        items: { id: string }[];
        next_url?: string;
      };
      seen.push(...page.items.map((item) => item.id));
      url = page.next_url;
    }
    expect(seen).toEqual(all);
  });
});

describe("the edge cache", () => {
  /** The bundle's content version and today's day (UTC, the default DIGEST_TIMEZONE): what edge-cache keys carry. */
  const versionOf = async () => {
    const { default: json } = await import("../generated/content.txt");
    return `${(JSON.parse(json) as ContentBundle).version}@${new Date().toISOString().slice(0, 10)}`;
  };

  it("stores a rendered feed under a key that carries the content version and the day", async () => {
    const path = "/providers/forbes.com/feed.rss?limit=7";
    const { body } = await fetchSettled(new Request(`http://localhost${path}`));
    const stored = await caches.default.match(
      new Request(edgeCacheKey(`http://localhost${path}`, await versionOf())),
    );
    expect(await stored?.text()).toBe(body);
    expect(await caches.default.match(new Request(`http://localhost${path}`))).toBeUndefined();
  });

  it("stores what never changes (archives, hashed assets) under a key without the content version, so a publish keeps it", async () => {
    const path = ASSETS.style.path;
    const { body } = await fetchSettled(new Request(`http://localhost${path}`));
    const stored = await caches.default.match(
      new Request(edgeCacheKey(`http://localhost${path}`, "immutable@50")),
    );
    expect(await stored?.text()).toBe(body);
    expect(
      await caches.default.match(
        new Request(edgeCacheKey(`http://localhost${path}`, await versionOf())),
      ),
    ).toBeUndefined();
  });

  it("lets If-None-Match win over If-Modified-Since once the response is cached (RFC 9110 §13.2.2)", async () => {
    const path = "/topics/ai/feed.rss?limit=3";
    const { response: first } = await fetchSettled(new Request(`http://localhost${path}`));
    const lastModified = first.headers.get("last-modified")!;
    const etag = first.headers.get("etag")!;
    expect(
      await caches.default.match(
        new Request(edgeCacheKey(`http://localhost${path}`, await versionOf())),
      ),
    ).toBeDefined();
    const stale = await get(path, {
      headers: { "If-None-Match": '"nope"', "If-Modified-Since": lastModified },
    });
    expect(stale.status).toBe(200);
    expect(await stale.text()).not.toBe("");
    const fresh = await get(path, { headers: { "If-None-Match": etag } });
    expect(fresh.status).toBe(304);
    expect(fresh.headers.get("etag")).toBe(etag);
    expect(fresh.headers.get("content-type")).toBeNull();
    const notADate = await get(path, { headers: { "If-Modified-Since": "2099" } });
    expect(notADate.status).toBe(200);
    await notADate.text();
  });

  it("never serves a response cached for other content", async () => {
    const path = "/feed.json?limit=3";
    await caches.default.put(
      new Request(edgeCacheKey(`http://localhost${path}`, "old-deploy")),
      new Response("stale", { headers: { "Cache-Control": "max-age=600" } }),
    );
    const response = await get(path);
    expect(await response.text()).not.toBe("stale");
  });

  it("serves from the app when there is no cache or the cache fails", async () => {
    const app = async () => new Response("from the app");
    const pending: Promise<unknown>[] = [];
    const options = {
      version: "v",
      waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    };
    const request = new Request("http://localhost/feed.rss");
    expect(await (await withEdgeCache(request, { ...options, cache: undefined }, app)).text()).toBe(
      "from the app",
    );
    const broken = {
      match: async () => {
        throw new Error("cache down");
      },
      put: async () => {
        throw new Error("cache down");
      },
    };
    expect(await (await withEdgeCache(request, { ...options, cache: broken }, app)).text()).toBe(
      "from the app",
    );
    await Promise.all(pending);
  });
});
