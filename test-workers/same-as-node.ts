/** One test per route: the Worker's response has the status, type, ETag and bytes Node gave (node-responses.ts). */
import { expect, inject, it, vi } from "vitest";
import { DIGEST_NOW } from "./routes.js";

export function itServesWhatNodeServes(get: (path: string) => Promise<Response>): void {
  for (const expected of inject("nodeResponses")) {
    it(`${expected.path}: same status, type, ETag and bytes`, async () => {
      const response = await get(expected.path);
      expect(response.status).toBe(expected.status);
      expect(response.headers.get("content-type")).toBe(expected.contentType);
      expect(response.headers.get("etag")).toBe(expected.etag);
      expect(await response.text()).toBe(expected.body);
    });
  }
}

/** The digest routes, with the Worker's clock at DIGEST_NOW (fake time, which workerd's Date follows). */
export function itServesDigestsAsNode(get: (path: string) => Promise<Response>): void {
  for (const expected of inject("nodeDigestResponses")) {
    it(`${expected.path} at ${new Date(DIGEST_NOW).toISOString()}: same status, type, ETag and bytes`, async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(DIGEST_NOW);
      try {
        const response = await get(expected.path);
        expect(response.status).toBe(expected.status);
        expect(response.headers.get("content-type")).toBe(expected.contentType);
        expect(response.headers.get("etag")).toBe(expected.etag);
        expect(await response.text()).toBe(expected.body);
      } finally {
        vi.useRealTimers();
      }
    });
  }
}
