/**
 * A synthetic corpus shaped like the real one: every article in "AI" plus
 * 0-3 of 18 other topics (skewed, like the census), providers drawn with a
 * Zipf-like skew, about a fifth with related lists, most with an image.
 * Seeded, so every run benchmarks the same files.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const TOPICS = [
  "Computer Vision",
  "AI in Autos",
  "Machine Learning",
  "AWS AI",
  "Facebook AI",
  "Microsoft AI",
  "Natural Language Processing",
  "AI in Healthcare",
  "Google AI",
  "AI Hardware",
  "AI in Finance",
  "AI in Robotics",
  "IBM AI",
  "TensorFlow",
  "AI in Security",
  "AI Ethics",
  "AI in Marketing",
  "AI in Sales",
];
const WORDS =
  "ai model chip cloud vision robot market data learning neural network research startup launch report growth bias ethics health car language".split(
    " ",
  );

function random(seed: number) {
  let state = seed >>> 0;
  return () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** `start`: the first day of the four years the dates spread over (the digest bench ends them at today). */
export function syntheticArticles(
  count: number,
  seed = 42,
  start = Date.UTC(2019, 0, 1),
): { name: string; text: string }[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const sentence = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(" ");
  const providers = Math.max(20, Math.round(count / 10));
  const files: { name: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const provider = Math.floor(providers * next() ** 3);
    const date = new Date(start + Math.floor(next() * 4 * 365 * 86400) * 1000);
    const day = date.toISOString().slice(0, 10);
    const title = `${sentence(8)} ${i}`;
    const topics = [
      "AI",
      ...new Set(
        Array.from(
          { length: Math.floor(next() * 4) },
          () => TOPICS[Math.floor(TOPICS.length * next() ** 2)],
        ),
      ),
    ];
    const related =
      next() < 0.2
        ? Array.from(
            { length: 1 + Math.floor(next() * 5) },
            (_, r) =>
              `  - title: "${sentence(7)}"\n    excerpt: "${sentence(25)}"\n    publishedDateTime: ${day}T12:00:00Z\n    webUrl: "https://related${r}.example.com/${i}/${r}"\n    type: article\n    provider:\n      name: Related ${r}\n      domain: related${r}.example.com\n    quality: 50\n`,
          ).join("")
        : "";
    const text = [
      "---",
      "category: news",
      `title: "${title}"`,
      `excerpt: "${sentence(35)}..."`,
      `publishedDateTime: ${date.toISOString().replace(".000", "")}`,
      `originalUrl: "https://www.provider${provider}.com/news/${day}/${i}"`,
      `webUrl: "https://www.provider${provider}.com/news/${day}/${i}"`,
      "type: article",
      `quality: ${Math.floor(next() * 160)}`,
      `heat: ${Math.floor(next() * 230)}`,
      `published: ${next() < 0.9}`,
      "",
      "provider:",
      `  name: Provider ${provider}`,
      `  domain: provider${provider}.com`,
      "  images:",
      `    - url: "/assets/images/organizations/provider${provider}.com-50x50.jpg"`,
      "      width: 50",
      "      height: 50",
      "",
      "topics:",
      ...topics.map((topic) => `  - ${topic}`),
      "",
      ...(next() < 0.8
        ? [
            "images:",
            `  - url: "https://cdn.provider${provider}.com/img/${i}.jpg"`,
            "    width: 1200",
            "    height: 630",
            "    isCached: true",
            "",
          ]
        : []),
      ...(related ? ["related:", related] : []),
      `secured: "${"QUJD".repeat(100)};${"REVG".repeat(6)}"`,
      "---",
      "",
    ].join("\n");
    files.push({ name: `${day}-synthetic-${i}.md`, text });
  }
  return files;
}

/** The corpus written to a new temporary folder, whose path is returned. */
export function writeCorpus(count: number, start?: number): string {
  const dir = mkdtempSync(join(tmpdir(), `feedloom-bench-${count}-`));
  for (const { name, text } of syntheticArticles(count, 42, start))
    writeFileSync(join(dir, name), text);
  return dir;
}
