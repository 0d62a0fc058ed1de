/**
 * One morning and a week of feed requests, counted by Node (sql.js, in the D1
 * project's global setup) and by workerd on D1: the two reports must match.
 */
import type { StatsCounter } from "../src/stats/counter.js";

const DAY = Date.parse("2026-11-20T00:00:00Z");
const at = (day: number, hour: number) => DAY + day * 86_400_000 + hour * 3_600_000;

/** The day the reports are asked for: the week's last. */
export const SCENARIO_TODAY = "2026-11-27";

const FEEDLY = (n: number) =>
  `Feedly/1.0 (+http://www.feedly.com/fetcher.html; ${n} subscribers; )`;

export async function runScenario(counter: StatsCounter): Promise<void> {
  for (let day = 0; day <= 7; day++) {
    for (let hour = 0; hour < 24; hour += 6) {
      await counter.count({
        path: "/feed.rss",
        status: hour ? 304 : 200,
        userAgent: "Newsboat/2.36 (Linux x86_64)",
        address: "192.0.2.1",
        at: at(day, hour),
      });
      await counter.count({
        path: "/feed.rss",
        status: 200,
        userAgent: FEEDLY(400 + day * 10),
        address: "203.0.113.5",
        at: at(day, hour),
      });
    }
    if (day % 3 === 0)
      await counter.count({
        path: "/topics/ai/feed.atom",
        status: 200,
        userAgent: "NetNewsWire (RSS Reader; https://netnewswire.com/)",
        address: `192.0.2.${10 + day}`,
        at: at(day, 9),
      });
    await counter.count({
      path: "/topics/ai/feed.atom",
      status: 200,
      userAgent: `Feedbin feed-id:77 - ${day === 2 ? 5_000_000 : 20} subscribers`,
      address: "203.0.113.6",
      at: at(day, 10),
    });
    await counter.count({
      path: "/feed.json",
      status: 200,
      userAgent:
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      address: "192.0.2.99",
      at: at(day, 11),
    });
  }
}
