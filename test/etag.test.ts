/** Node's synchronous body tag must be the tag Web Crypto gives (the Worker's), or caches would see two versions of one body. */
import { describe, expect, it } from "vitest";
import { bodyEtag } from "../src/http/render-cache.js";
import { nodeBodyEtag } from "../src/runtime/etag.js";

describe("nodeBodyEtag", () => {
  it.each(["", "<rss/>", "naïve café 東京 😀 \u2028", "x".repeat(100_000)])(
    "gives bodyEtag's tag for %j",
    async (body) => {
      const bytes = new TextEncoder().encode(body);
      expect(nodeBodyEtag(bytes)).toBe(await bodyEtag(bytes));
      expect(nodeBodyEtag(bytes)).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    },
  );
});
