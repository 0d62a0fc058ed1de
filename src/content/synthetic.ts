/**
 * A synthetic corpus shaped like the real one: every article in "AI" plus
 * 0-3 of 18 other topics (skewed, like the census), providers drawn with a
 * Zipf-like skew, about a fifth with related lists, most with an image, a
 * tenth drafts. Seeded, so the same options give the same files: the bench
 * measures with it, and `feedloom demo` shows every feature with it.
 */
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

export interface SyntheticOptions {
  seed?: number;
  /** The first instant the dates spread over (the digest bench ends them at today). */
  start?: number;
  /** How many days they spread over: four years by default. */
  days?: number;
  /** A provider's domain: `provider3.com` by default (the bench's). */
  domainOf?: (provider: number) => string;
  /** Whether articles have images (hosted on the provider's domain). */
  images?: boolean;
  /** What file names say between the date and the number: `2021-03-04-synthetic-17.md`. */
  tag?: string;
}

export function syntheticArticles(
  count: number,
  {
    seed = 42,
    start = Date.UTC(2019, 0, 1),
    days = 4 * 365,
    domainOf = (provider) => `provider${provider}.com`,
    images = true,
    tag = "synthetic",
  }: SyntheticOptions = {},
): { name: string; text: string }[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const sentence = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(" ");
  const providers = Math.max(20, Math.round(count / 10));
  const files: { name: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const provider = Math.floor(providers * next() ** 3);
    const date = new Date(start + Math.floor(next() * days * 86400) * 1000);
    const domain = domainOf(provider);
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
      `originalUrl: "https://www.${domain}/news/${day}/${i}"`,
      `webUrl: "https://www.${domain}/news/${day}/${i}"`,
      "type: article",
      `quality: ${Math.floor(next() * 160)}`,
      `heat: ${Math.floor(next() * 230)}`,
      `published: ${next() < 0.9}`,
      "",
      "provider:",
      `  name: Provider ${provider}`,
      `  domain: ${domain}`,
      "  images:",
      `    - url: "/assets/images/organizations/${domain}-50x50.jpg"`,
      "      width: 50",
      "      height: 50",
      "",
      "topics:",
      ...topics.map((topic) => `  - ${topic}`),
      "",
      ...(next() < 0.8 && images
        ? [
            "images:",
            `  - url: "https://cdn.${domain}/img/${i}.jpg"`,
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
    files.push({ name: `${day}-${tag}-${i}.md`, text });
  }
  return files;
}
