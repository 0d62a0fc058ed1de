/** The publish plan on its own: what it writes for a change, in what order, in statements D1 accepts. */
import { describe, expect, it } from "vitest";
import type { Article } from "../src/content/article.js";
import { buildIndex } from "../src/index/index.js";
import { planSync, stateOf } from "../src/publish/d1-sync.js";
import { fixtureApp } from "./helpers.js";

describe("the publish plan", async () => {
  const { index } = await fixtureApp();
  const retopic = (article: Article, topics: string[]): Article => ({ ...article, topics });

  it("writes nothing when nothing changed, and names the same version for the same data", () => {
    const plan = planSync(index, { ...stateOf(index), meta: {} });
    const again = planSync(buildIndex([...index.articles].reverse()), {
      ...stateOf(index),
      meta: {},
    });
    expect(plan.statements.every((sql) => sql.startsWith("INSERT OR REPLACE INTO meta"))).toBe(
      true,
    );
    expect(again.version).toBe(plan.version);
  });

  it("deletes before it inserts, so a changed article keeps its new topic links", () => {
    const changed = index.articles.map((article, i) =>
      i === 0 ? retopic(article, ["Robotics"]) : article,
    );
    const plan = planSync(buildIndex(changed), stateOf(index));
    expect(plan.changed).toBe(1);
    const firstInsert = plan.statements.findIndex((sql) => sql.startsWith("INSERT"));
    const lastDelete = plan.statements.findLastIndex((sql) => sql.startsWith("DELETE"));
    expect(lastDelete).toBeLessThan(firstInsert);
    expect(
      plan.statements.some(
        (sql) => sql.includes("INTO article_topics") && sql.includes("'robotics'"),
      ),
    ).toBe(true);
    expect(plan.changedScopes).toContainEqual({ kind: "topic", key: "robotics" });
  });

  it("groups a large first sync into few statements, each under D1's 100 KB limit", () => {
    const many = Array.from({ length: 2_000 }, (_, i): Article => ({
      ...index.articles[0],
      id: `urn:uuid:${i}`,
      url: `https://example.com/${i}`,
      title: `Title ${i} ${"x".repeat(400)}`,
    }));
    const plan = planSync(buildIndex(many), { articles: [], groups: [], meta: {} });
    expect(plan.added).toBe(2_000);
    expect(plan.statements.length).toBeLessThan(100);
    for (const sql of plan.statements)
      expect(new TextEncoder().encode(sql).byteLength).toBeLessThan(100_000);
  });
});
