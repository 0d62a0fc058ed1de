/**
 * Digests through real requests: closed periods in the readers' time zone
 * (New York across its DST changes), ranking by heat then quality then date
 * then id, empty periods without an item, stable ids, every feed passing the
 * feed checks, the period pages, and keys that roll over at local midnight.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { checkFeed } from "../src/feeds/check.js";
import { createApp } from "../src/http/app.js";
import { createLruRenderCache } from "../src/http/lru-render-cache.js";
import { closedPeriods } from "../src/index/digest.js";
import { buildIndex } from "../src/index/index.js";
import { createMemoryStore } from "../src/index/store.js";
import { readArticleDir } from "../src/sources/fs-source.js";
import { parseXmlStrict, children, child } from "./helpers.js";

const DIGEST = fileURLToPath(new URL("./fixtures/digest/", import.meta.url));
const NEW_YORK = { DIGEST_TIMEZONE: "America/New_York" };

async function digestApp(now: number, env: Record<string, string> = NEW_YORK) {
  const articles = (await readArticleDir(DIGEST)).flatMap((file) =>
    file.article ? [file.article] : [],
  );
  const config = loadConfig(env);
  let clock = now;
  const app = createApp({
    store: createMemoryStore(buildIndex(articles), "digest-test", { now: () => clock }),
    config,
    cache: createLruRenderCache(),
  });
  return { app, setNow: (to: number) => void (clock = to) };
}

interface JsonItem {
  id: string;
  url: string;
  title: string;
  date_published: string;
  content_html: string;
}
const itemsOf = async (
  app: { request(path: string): Response | Promise<Response> },
  path: string,
) => ((await (await app.request(path)).json()) as { items: JsonItem[] }).items;
const slugsIn = (html: string) =>
  [...html.matchAll(/digest\.example\.com\/([\w-]+)/g)].map((match) => match[1]);

describe("closed periods in a time zone", () => {
  it("closes days at local midnight: 23 hours in March, 25 in November, in New York", () => {
    const march = closedPeriods("daily", Date.parse("2026-03-09T12:00:00Z"), "America/New_York", 2);
    expect(march.map((period) => [period.key, (period.end - period.start) / 3_600_000])).toEqual([
      ["2026-03-08", 23],
      ["2026-03-07", 24],
    ]);
    const november = closedPeriods(
      "daily",
      Date.parse("2026-11-02T12:00:00Z"),
      "America/New_York",
      1,
    );
    expect(november.map((period) => [period.key, (period.end - period.start) / 3_600_000])).toEqual(
      [["2026-11-01", 25]],
    );
  });

  it("counts ISO weeks from Monday, and never offers the current period", () => {
    const weeks = closedPeriods("weekly", Date.parse("2026-11-16T00:30:00Z"), "UTC", 2); // Monday 16 November, just begun
    expect(weeks.map((period) => [period.key, new Date(period.start).toISOString()])).toEqual([
      ["2026-W46", "2026-11-09T00:00:00.000Z"],
      ["2026-W45", "2026-11-02T00:00:00.000Z"],
    ]);
  });
});

describe("the daily digest of a topic", async () => {
  const { app } = await digestApp(Date.parse("2026-03-12T12:00:00Z"));

  it("has one item per closed day with articles, newest first, none for an empty day nor the open one", async () => {
    const items = await itemsOf(app, "/topics/ai/digest/daily.json");
    expect(items.map((item) => item.title)).toEqual([
      "AI, Wednesday 11 March 2026: top 1 of 1",
      "AI, Sunday 8 March 2026: top 7 of 7",
      "AI, Saturday 7 March 2026: top 1 of 1",
      "AI, Friday 6 March 2026: top 1 of 1",
    ]);
    // Each item is dated at its period's end: local midnight in New York, as UTC.
    expect(items.map((item) => item.date_published)).toEqual([
      "2026-03-12T04:00:00Z",
      "2026-03-09T04:00:00Z",
      "2026-03-08T05:00:00Z",
      "2026-03-07T05:00:00Z",
    ]);
  });

  it("puts an article in the day its readers lived it: 23:30 local on either side of the DST change", async () => {
    const items = await itemsOf(app, "/topics/ai/digest/daily.json");
    expect(slugsIn(items[1].content_html)).toContain("mar08-late-evening");
    expect(slugsIn(items[2].content_html)).toEqual(["mar07-late-evening"]);
  });

  it("ranks by heat, then quality, then newest, then id; articles without heat (or heat -1) after those with it", async () => {
    const [, sunday] = await itemsOf(app, "/topics/ai/digest/daily.json");
    expect(slugsIn(sunday.content_html)).toEqual([
      "mar08-hotter", // heat 150
      "mar08-better", // heat 100, quality 90
      "mar08-tie-newer", // heat 100, quality 70, 20:00
      "mar08-tie-older", // heat 100, quality 70, 14:00
      "mar08-late-evening", // heat 10
      "mar08-no-heat", // no heat, quality 99
      "mar08-never-ranked", // heat -1, quality 95
    ]);
  });

  it("lists DIGEST_SIZE stories an item", async () => {
    const { app: small } = await digestApp(Date.parse("2026-03-12T12:00:00Z"), {
      ...NEW_YORK,
      DIGEST_SIZE: "3",
    });
    const [, sunday] = await itemsOf(small, "/topics/ai/digest/daily.json");
    expect(sunday.title).toBe("AI, Sunday 8 March 2026: top 3 of 7");
    expect([...sunday.content_html.matchAll(/<li>/g)]).toHaveLength(3);
  });

  it("keeps ids stable across runs and formats, and unique across feeds", async () => {
    const { app: again } = await digestApp(Date.parse("2026-03-13T12:00:00Z"));
    const today = await itemsOf(app, "/topics/ai/digest/daily.json");
    const tomorrow = await itemsOf(again, "/topics/ai/digest/daily.json");
    expect(tomorrow.map((item) => item.id)).toEqual(today.map((item) => item.id));
    const atom = parseXmlStrict(await (await app.request("/topics/ai/digest/daily.atom")).text());
    expect(children(atom, "entry").map((entry) => child(entry, "id").text)).toEqual(
      today.map((item) => item.id),
    );
    const everything = await itemsOf(app, "/digest/daily.json");
    for (const item of everything) expect(today.map((mine) => mine.id)).not.toContain(item.id);
  });

  it("passes the feed checks in every format, daily and weekly, for everything and for a topic", async () => {
    for (const path of [
      "/digest/daily",
      "/digest/weekly",
      "/topics/ai/digest/daily",
      "/topics/robots/digest/weekly",
    ]) {
      for (const format of ["rss", "atom", "json"] as const) {
        const response = await app.request(`${path}.${format}`);
        expect(response.status, `${path}.${format}`).toBe(200);
        expect(checkFeed(format, await response.text()).problems, `${path}.${format}`).toEqual([]);
      }
    }
  });

  it("links each item to a page of every story of its period, ranked, the digest's marked", async () => {
    const [, sunday] = await itemsOf(app, "/topics/ai/digest/daily.json");
    expect(new URL(sunday.url).pathname).toBe("/topics/ai/digest/daily/2026-03-08/");
    const page = await app.request("/topics/ai/digest/daily/2026-03-08/");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>AI, Sunday 8 March 2026</h1>");
    expect([...html.matchAll(/In the digest/g)]).toHaveLength(7);
    expect((await app.request("/topics/ai/digest/daily/2026-03-12/")).status).toBe(404); // still open
    expect((await app.request("/topics/ai/digest/daily/2026-02-30/")).status).toBe(404); // no such day
    expect((await app.request("/topics/ai/digest/daily/2026-03-10/")).status).toBe(404); // no articles
  });
});

describe("finding the digests from the pages", () => {
  it("the home page and a topic's page link the last week's days that have stories, and offer the digest feeds", async () => {
    const { app } = await digestApp(Date.parse("2026-03-12T12:00:00Z"));
    const home = await (await app.request("/")).text();
    expect(
      [...home.matchAll(/href="(\/digest\/daily\/[\d-]+\/)"/g)].map((match) => match[1]),
    ).toEqual([
      "/digest/daily/2026-03-11/",
      "/digest/daily/2026-03-08/",
      "/digest/daily/2026-03-07/",
      "/digest/daily/2026-03-06/",
    ]);
    expect(home).toContain('href="http://localhost/digest/weekly.atom"');
    const topic = await (await app.request("/topics/robots/")).text();
    expect(
      [...topic.matchAll(/href="(\/topics\/robots\/digest\/daily\/[\d-]+\/)"/g)].map(
        (match) => match[1],
      ),
    ).toEqual([
      "/topics/robots/digest/daily/2026-03-11/",
      "/topics/robots/digest/daily/2026-03-08/",
    ]);
    for (const path of ["/digest/daily/2026-03-11/", "/topics/robots/digest/daily/2026-03-08/"])
      expect((await app.request(path)).status, path).toBe(200);
  });

  it("OPML lists the digests instead of the full feeds with ?digest=, each a feed that passes the checks", async () => {
    const { app } = await digestApp(Date.parse("2026-03-12T12:00:00Z"));
    const opml = parseXmlStrict(
      await (await app.request("/feeds.opml?digest=weekly&format=atom")).text(),
    );
    const urls: string[] = [];
    const walk = (node: ReturnType<typeof parseXmlStrict>) => {
      if (node.attributes.xmlUrl) urls.push(node.attributes.xmlUrl);
      node.children.forEach(walk);
    };
    walk(opml);
    expect(urls.map((url) => new URL(url).pathname)).toEqual([
      "/digest/weekly.atom",
      "/topics/ai/digest/weekly.atom",
      "/topics/robots/digest/weekly.atom",
    ]);
    for (const url of urls)
      expect(checkFeed("atom", await (await app.request(url)).text()).problems, url).toEqual([]);
    const refused = await app.request("/providers.opml?digest=daily");
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/digest: providers have no digests/);
    expect((await app.request("/feeds.opml?digest=hourly")).status).toBe(400);
  });

  it("the JSON home lists the site's digests", async () => {
    const { app } = await digestApp(Date.parse("2026-03-12T12:00:00Z"));
    const summary = (await (
      await app.request("/", { headers: { Accept: "application/json" } })
    ).json()) as { digests: { daily: { rss: string } } };
    expect(summary.digests.daily.rss).toBe("http://localhost/digest/daily.rss");
  });
});

describe("when a day closes", () => {
  it("the next request has its item: the key rolls over at local midnight, with no reload", async () => {
    const { app, setNow } = await digestApp(Date.parse("2026-03-11T23:00:00Z")); // 19:00 on 11 March in New York
    expect((await itemsOf(app, "/topics/ai/digest/daily.json"))[0].title).toBe(
      "AI, Sunday 8 March 2026: top 7 of 7",
    );
    setNow(Date.parse("2026-03-12T04:00:00Z")); // midnight in New York
    expect((await itemsOf(app, "/topics/ai/digest/daily.json"))[0].title).toBe(
      "AI, Wednesday 11 March 2026: top 1 of 1",
    );
  });
});

describe("DIGEST_TIMEZONE", () => {
  it("refuses a zone the runtime does not know, saying what it takes", () => {
    expect(() => loadConfig({ DIGEST_TIMEZONE: "Mars/Olympus_Mons" })).toThrow(
      /^DIGEST_TIMEZONE must be an IANA time zone such as UTC/,
    );
  });
});

describe("a digest of a site that paused", () => {
  it("still gives its last digests, dated truly, never 1970", async () => {
    // A year after the fixtures' newest article (November 2026): no recent day has a story.
    const { app } = await digestApp(Date.parse("2027-11-28T12:00:00Z"));
    for (const path of [
      "/digest/daily.json",
      "/digest/weekly.json",
      "/topics/ai/digest/daily.json",
    ]) {
      const items = await itemsOf(app, path);
      expect(items.length, path).toBeGreaterThan(0);
      expect(items[0].date_published.startsWith("2026-11"), path).toBe(true);
      // Each links its period's page, which answers.
      expect((await app.request(new URL(items[0].url).pathname)).status, items[0].url).toBe(200);
    }
    const rss = await (await app.request("/digest/daily.rss")).text();
    expect(rss).not.toContain("1970");
    expect(rss).toMatch(/<lastBuildDate>[A-Z][a-z]{2}, \d\d Nov 2026 /);
  });
});

describe("a digest page", () => {
  it("names its period once, leads to the periods beside it that have stories, and offers its feed", async () => {
    const { app } = await digestApp(Date.parse("2026-11-28T12:00:00Z"), {});
    const html = await (await app.request("/digest/daily/2026-11-02/")).text();
    expect(html).toContain("<title>Monday 2 November 2026: A.I. Every Day</title>");
    expect(html).toContain("<h1>Monday 2 November 2026</h1>");
    expect(html).toMatch(
      /<a href="\/digest\/daily\/2026-11-01\/" rel="next">Sunday 1 November 2026 →<\/a>/,
    );
    // 3 November had no story: no page to lead to, here or in an export.
    expect(html).not.toContain('rel="prev"');
    expect(html).toContain("Subscribe to the daily digest");
    expect(html).not.toMatch(/\b1 stories|top 1 are/);
    const before = await (await app.request("/digest/daily/2026-11-01/")).text();
    expect(before).toMatch(
      /<a href="\/digest\/daily\/2026-11-02\/" rel="prev">← Monday 2 November 2026<\/a>/,
    );
  });
});
