/**
 * The README and the guides in docs/ as a reader follows them: every link
 * between them leads to a file, and to a heading, that exist; every
 * `npm run` command they name is a script; each guide links back to the
 * README; the README keeps to its quick start, URL contract and map.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";

const GUIDES = readdirSync("docs")
  .filter((name) => name.endsWith(".md"))
  .map((name) => join("docs", name));
const DOCUMENTS = ["README.md", ...GUIDES];
const scripts = (
  JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }
).scripts;

/** GitHub's heading anchors: lowercased, punctuation but `-` and `_` dropped, spaces to `-`. */
function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  return new Set(
    [...withoutCode.matchAll(/^#+ (.+)$/gm)].map((match) =>
      match[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
}

describe("the README and the guides", () => {
  it.each(DOCUMENTS)("%s: every local link leads to a file and heading that exist", (document) => {
    const text = readFileSync(document, "utf8");
    const links = [...text.matchAll(/\]\(([^)\s]+)\)|src="([^"]+)"/g)]
      .map((match) => match[1] ?? match[2])
      .filter((target) => !/^[a-z]+:/.test(target));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      const [path, anchor] = link.split("#");
      const file = path === "" ? document : normalize(join(dirname(document), path));
      expect(existsSync(file), `${document}: ${link}`).toBe(true);
      if (anchor)
        expect([...anchorsOf(readFileSync(file, "utf8"))], `${document}: ${link}`).toContain(
          anchor,
        );
    }
  });

  it.each(DOCUMENTS)(
    "%s: every npm run command it names is a script of package.json",
    (document) => {
      for (const match of readFileSync(document, "utf8").matchAll(/npm run ([\w:-]+)/g))
        expect(Object.keys(scripts), `${document}: ${match[0]}`).toContain(match[1]);
    },
  );

  it("each guide links back to the README, and the README to each guide", () => {
    const readme = readFileSync("README.md", "utf8");
    for (const guide of GUIDES) {
      expect(readFileSync(guide, "utf8"), guide).toContain("](../README.md)");
      expect(readme, guide).toContain(`](${guide})`);
    }
  });

  it("the README keeps to the quick start, the URL contract and the map of guides", () => {
    const readme = readFileSync("README.md", "utf8");
    expect([...readme.matchAll(/^## (.+)$/gm)].map((match) => match[1])).toEqual([
      "Quick start",
      "URL scheme",
      "Guides",
    ]);
  });
});
