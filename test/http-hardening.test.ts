/**
 * What a hostile or careless request can do: long keys, many distinct URLs,
 * a foreign Host, odd conditional headers and non-canonical query spellings.
 */
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { createApp } from "../src/http/app.js";
import { createLruRenderCache } from "../src/http/lru-render-cache.js";
import type { Compressor } from "../src/http/render-cache.js";
import { parseHttpDate } from "../src/http/respond.js";
import { boundedDistance, closestKeys } from "../src/index/query.js";
import { zlibCompressor } from "../src/runtime/compression.js";
import { children, fixtureApp, parseXmlStrict, requestFollowing } from "./helpers.js";

describe("an unknown key", async () => {
  const { app } = await fixtureApp();

  it("gets a 404 whose message stays short however long the key", async () => {
    const response = await app.request(`/providers/${"x".repeat(15_000)}.example/feed.rss`);
    expect(response.status).toBe(404);
    const body = await response.text();
    expect(body.length).toBeLessThan(600);
    expect(body).toMatch(/no provider "x{80}…"/);
    const path = await app.request(`/${"y".repeat(15_000)}`);
    expect((await path.text()).length).toBeLessThan(600);
  });

  it("is compared by its first 64 characters only, within 3 edits: the work is bounded", () => {
    const keys = Array.from({ length: 400 }, (_, i) => `provider-${i}.example.com`);
    const long = `provider-7.example.com${"z".repeat(15_000)}`;
    expect(closestKeys(long, keys)).toEqual(closestKeys(long.slice(0, 64), keys));
    expect(closestKeys("provider-7.exampel.com", keys)[0]).toBe("provider-7.example.com");
    expect(closestKeys("zzzz-nothing-like-it", keys)).toEqual([]);
  });

  it("still suggests the close keys of a typo", async () => {
    const body = await (await app.request("/topics/ai-hardwre/feed.rss")).text();
    expect(body).toMatch(/Closest: ai-hardware[,.]/);
  });

  it("measures edit distance exactly up to the bound", () => {
    expect(boundedDistance("kitten", "sitting", 3)).toBe(3);
    expect(boundedDistance("kitten", "sitting", 2)).toBe(3);
    expect(boundedDistance("forbes.com", "forbes.com", 3)).toBe(0);
    expect(boundedDistance("a", "abcdef", 3)).toBe(4);
  });
});

describe("compression on Node", async () => {
  const { store, config } = await fixtureApp();
  const counting = () => {
    const calls: string[] = [];
    const compressor: Compressor = {
      encodings: zlibCompressor.encodings,
      compress: (body, encoding) => {
        calls.push(encoding);
        return zlibCompressor.compress(body, encoding);
      },
    };
    return { calls, app: createApp({ store, config, cache: createLruRenderCache(), compressor }) };
  };

  it("compresses nothing for a client that asks for no encoding", async () => {
    const { calls, app } = counting();
    const response = await app.request("/feed.rss");
    expect(response.headers.get("content-encoding")).toBeNull();
    await response.arrayBuffer();
    expect(calls).toEqual([]);
  });

  it("compresses only the encoding asked for, once, however many ask at the same time", async () => {
    const { calls, app } = counting();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.request("/feed.atom", { headers: { "Accept-Encoding": "gzip" } }),
      ),
    );
    expect(calls).toEqual(["gzip"]);
    const identity = await (await app.request("/feed.atom")).text();
    for (const response of responses) {
      expect(response.headers.get("content-encoding")).toBe("gzip");
      expect(gunzipSync(Buffer.from(await response.arrayBuffer())).toString("utf8")).toBe(identity);
    }
    await app.request("/feed.atom", { headers: { "Accept-Encoding": "gzip" } });
    expect(calls).toEqual(["gzip"]);
  });

  it("sends the same bytes for the same body, so a variant's ETag stays true", async () => {
    const first = Buffer.from(
      await (
        await counting().app.request("/feed.json", { headers: { "Accept-Encoding": "br" } })
      ).arrayBuffer(),
    );
    const second = Buffer.from(
      await (
        await counting().app.request("/feed.json", { headers: { "Accept-Encoding": "br" } })
      ).arrayBuffer(),
    );
    expect(second.equals(first)).toBe(true);
  });
});

describe("the Host of a request", async () => {
  const { store } = await fixtureApp();
  const appWith = (env: Record<string, string>) => createApp({ store, config: loadConfig(env) });

  it("is refused with 421 when PUBLIC_URL is unset and the host is not listed", async () => {
    const response = await appWith({}).request("http://evil.example/feed.rss");
    expect(response.status).toBe(421);
    expect(await response.text()).toMatch(
      /^421 host "evil.example" is not served here: set PUBLIC_URL .* or add the host to ALLOWED_HOSTS/,
    );
  });

  it("is answered for loopback names by default, and for the hosts ALLOWED_HOSTS lists", async () => {
    expect((await appWith({}).request("http://127.0.0.1:8787/feed.rss")).status).toBe(200);
    expect((await appWith({}).request("http://localhost/feed.rss")).status).toBe(200);
    const listed = appWith({ ALLOWED_HOSTS: "feeds.example.com, other.example:8080" });
    expect((await listed.request("http://feeds.example.com/feed.rss")).status).toBe(200);
    expect((await listed.request("http://other.example:8080/feed.rss")).status).toBe(200);
    expect((await listed.request("http://other.example:9090/feed.rss")).status).toBe(421);
    expect((await listed.request("http://localhost/feed.rss")).status).toBe(421);
  });

  it("never reaches a link when PUBLIC_URL is set: every link names PUBLIC_URL", async () => {
    const response = await appWith({ PUBLIC_URL: "https://feeds.example.com" }).request(
      "http://evil.example/feed.rss",
    );
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).not.toContain("evil.example");
    expect(body).toContain('href="https://feeds.example.com/feed.rss"');
  });

  it("rejects a malformed ALLOWED_HOSTS at start", () => {
    expect(() => loadConfig({ ALLOWED_HOSTS: "https://feeds.example.com/" })).toThrow(
      /ALLOWED_HOSTS must be a comma-separated list of host names/,
    );
  });
});

describe("conditional requests and HEAD", async () => {
  const { app } = await fixtureApp();
  const first = await app.request("/feed.rss");
  const lastModified = first.headers.get("last-modified")!;
  const body = await first.arrayBuffer();

  it("ignores an If-Modified-Since that is not a valid HTTP-date", async () => {
    for (const value of [
      "2099",
      "2099-01-01",
      "Fri, 31 Feb 2099 00:00:00 GMT",
      `${lastModified} extra`,
    ]) {
      expect(
        (await app.request("/feed.rss", { headers: { "If-Modified-Since": value } })).status,
        value,
      ).toBe(200);
    }
  });

  it("reads all three HTTP-date forms of RFC 9110", () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(expected);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(expected);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994")).toBe(expected);
    expect(parseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT")).toBeUndefined();
  });

  it("gives HEAD the Content-Length of the GET body, plain and compressed", async () => {
    const head = await app.request("/feed.rss", { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe(String(body.byteLength));
    const compressed = createApp({
      ...(await fixtureApp()),
      cache: createLruRenderCache(),
      compressor: zlibCompressor,
    });
    const gzipGet = await compressed.request("/feed.rss", {
      headers: { "Accept-Encoding": "gzip" },
    });
    const gzipHead = await compressed.request("/feed.rss", {
      method: "HEAD",
      headers: { "Accept-Encoding": "gzip" },
    });
    expect(gzipHead.headers.get("content-length")).toBe(
      String((await gzipGet.arrayBuffer()).byteLength),
    );
  });
});

describe("CORS preflight", async () => {
  const { app } = await fixtureApp();
  const preflight = (path: string) =>
    app.request(path, {
      method: "OPTIONS",
      headers: {
        Origin: "https://site.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match",
      },
    });

  it("carries the security headers every response has", async () => {
    const response = await preflight("/topics/ai/feed.json");
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, HEAD, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")).toBe("if-none-match");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
  });

  it("is a 404 on a path that is not a route", async () => {
    expect((await preflight("/no/such/path")).status).toBe(404);
  });
});

describe("non-canonical query spellings", async () => {
  const { app } = await fixtureApp({ FEED_LIMIT: "2" });
  const selfOf = async (url: string) => {
    const response = await requestFollowing(app, url);
    return children(parseXmlStrict(await response.text()), "link").find(
      (link) => link.attributes.rel === "self",
    )!.attributes.href;
  };

  it.each([
    ["/feed.atom?since=2019-01-01T00:00:00Z", "/feed.atom?since=2019-01-01"],
    ["/feed.atom?page=2&limit=1", "/feed.atom?limit=1&page=2"],
    ["/feed.atom?limit=2", "/feed.atom"],
    ["/feed.atom?page=1", "/feed.atom"],
    ["/feed.atom?q=NVIDIA", "/feed.atom?q=nvidia"],
    ["/feed.atom?since=2019-01-01T10%3A00%3A00Z", "/feed.atom?since=2019-01-01T10:00:00Z"],
    ["/feed.atom?_=123&page=2", "/feed/page/2.atom?_=123"],
    ["/feed.atom?page=2", "/feed/page/2.atom"],
    ["/feed/page/1.atom", "/feed.atom"],
    ["/feed/page/2.atom?limit=1", "/feed.atom?limit=1&page=2"],
  ])("%s redirects (301) to %s", async (from, to) => {
    const response = await app.request(from);
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe(to);
  });

  it.each([
    "/feed.atom?since=2019-01-01",
    "/feed.atom?limit=1&page=2",
    "/feed.atom?since=2019-01-01T10:00:00Z",
    "/feed/page/2.atom",
  ])("%s is served, with itself as the self link", async (path) => {
    expect((await app.request(path)).status).toBe(200);
    expect(await selfOf(`http://localhost${path}`)).toBe(`http://localhost${path}`);
  });
});
