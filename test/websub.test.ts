/** WebSub: hubs announced in every format and header, and the pings that tell them of changes. */
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { topicKey } from "../src/content/keys.js";
import { buildIndex } from "../src/index/index.js";
import { toBundle } from "../src/sources/bundle.js";
import { feedPathsOf } from "../src/publish/announce.js";
import { pingHubs } from "../src/publish/websub.js";
import {
  PROCESS_TEST_TIMEOUT,
  children,
  fixtureApp,
  parseXmlStrict,
  recordingHub,
  runCli,
} from "./helpers.js";

describe("feeds with WEBSUB_HUBS", async () => {
  const hubs = "https://pubsubhubbub.appspot.com/, https://websubhub.com/hub";
  const { app } = await fixtureApp({ WEBSUB_HUBS: hubs, PUBLIC_URL: "https://feeds.example.com" });

  it.each(["rss", "atom"])(
    "%s names each hub with an atom:link rel=hub, beside its self link",
    async (format) => {
      const feed = parseXmlStrict(await (await app.request(`/topics/ai/feed.${format}`)).text());
      const links = children(
        format === "rss" ? children(feed, "channel")[0] : feed,
        format === "rss" ? "atom:link" : "link",
      );
      expect(
        links.filter((link) => link.attributes.rel === "hub").map((link) => link.attributes.href),
      ).toEqual(["https://pubsubhubbub.appspot.com/", "https://websubhub.com/hub"]);
      expect(links.find((link) => link.attributes.rel === "self")?.attributes.href).toBe(
        `https://feeds.example.com/topics/ai/feed.${format}`,
      );
    },
  );

  it("JSON Feed lists them under hubs, typed WebSub", async () => {
    const feed = (await (await app.request("/feed.json")).json()) as { hubs: unknown };
    expect(feed.hubs).toEqual([
      { type: "WebSub", url: "https://pubsubhubbub.appspot.com/" },
      { type: "WebSub", url: "https://websubhub.com/hub" },
    ]);
  });

  it("sends Link headers with the hubs and the self URL, on 200 and 304 alike", async () => {
    const response = await app.request("/feed.atom?limit=2");
    const link =
      '<https://pubsubhubbub.appspot.com/>; rel="hub", <https://websubhub.com/hub>; rel="hub", <https://feeds.example.com/feed.atom?limit=2>; rel="self"';
    expect(response.headers.get("link")).toBe(link);
    const again = await app.request("/feed.atom?limit=2", {
      headers: { "If-None-Match": response.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get("link")).toBe(link);
  });

  it("says nothing of hubs when none is configured", async () => {
    const plain = (await fixtureApp()).app;
    const response = await plain.request("/feed.rss");
    expect(response.headers.get("link")).toBeNull();
    expect(await response.text()).not.toContain('rel="hub"');
  });
});

describe("WebSub pings", () => {
  it("send URLs in batches, and report a hub that cannot be reached without throwing", async () => {
    const bodies: string[] = [];
    const fake = (async (_url: string, init: RequestInit) => {
      bodies.push(String(init.body));
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    const urls = Array.from({ length: 5 }, (_, i) => `https://feeds.example.com/${i}.rss`);
    const ok = await pingHubs(["https://hub.example/"], urls, { fetch: fake, batchSize: 2 });
    expect(ok.map((result) => [result.urls, result.ok])).toEqual([
      [2, true],
      [2, true],
      [1, true],
    ]);
    expect(new URLSearchParams(bodies[0]).getAll("hub.url")).toEqual(urls.slice(0, 2));
    const unreachable = await pingHubs(["http://127.0.0.1:9/"], urls.slice(0, 1), {
      attempts: 2,
      backoffMs: 1,
    });
    expect(unreachable).toMatchObject([{ ok: false, attempts: 2 }]);
  });
});

describe("the URLs announced", () => {
  it("are every format of each changed feed", () => {
    expect(feedPathsOf([{ kind: "all" }, { kind: "topic", key: "ai hardware" }])).toEqual([
      "/feed.rss",
      "/feed.atom",
      "/feed.json",
      "/topics/ai%20hardware/feed.rss",
      "/topics/ai%20hardware/feed.atom",
      "/topics/ai%20hardware/feed.json",
    ]);
  });
});

describe("npm run deploy's announcement", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it("tells the hubs of the feeds that changed since the last deploy, then remembers this one", async () => {
    const hub = recordingHub();
    hub.server.listen(0, "127.0.0.1");
    await once(hub.server, "listening");
    const work = mkdtempSync(join(tmpdir(), "feedloom-deploy-"));
    try {
      const { index } = await fixtureApp();
      const [kept, dropped] = [index.articles.slice(1), index.articles[0]];
      const bundle = join(work, "content.txt");
      const previous = join(work, "deployed.txt");
      const config = join(work, "wrangler.toml");
      writeFileSync(
        config,
        `[vars]\nPUBLIC_URL = "https://feeds.example.com"\nWEBSUB_HUBS = "${hub.url()}"\n`,
      );
      const announce = () =>
        runCli("announce-deploy", ["--bundle", bundle, "--previous", previous, "--config", config]);

      writeFileSync(bundle, JSON.stringify(toBundle(buildIndex(kept), "v1")));
      const first = await announce();
      expect(first.stdout).toMatch(/6 added, 0 changed, 0 removed/);
      expect(readFileSync(previous, "utf8")).toBe(readFileSync(bundle, "utf8"));
      hub.posts.splice(0);

      writeFileSync(bundle, JSON.stringify(toBundle(buildIndex(index.articles), "v2")));
      const second = await announce();
      expect(second.stdout).toMatch(/1 added, 0 changed, 0 removed; \d+ feeds changed/);
      const paths = new Set(
        hub.posts
          .flat()
          .map((url) =>
            url.replace("https://feeds.example.com", "").replace(/\.(rss|atom|json)$/, ""),
          ),
      );
      const expected = new Set([
        "/feed",
        `/providers/${dropped.provider.domain}/feed`,
        ...dropped.topics.map((name) => `/topics/${encodeURIComponent(topicKey(name))}/feed`),
      ]);
      expect(paths).toEqual(expected);
    } finally {
      hub.server.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
