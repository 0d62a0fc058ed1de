/** One test per route: the Worker's response has the status, type, ETag and bytes Node gave (node-responses.ts). */
import { expect, inject, it } from "vitest";

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
