/**
 * Follower servers' inboxes for the Workers tests, run in Node (global
 * setup): any path under it takes a POST and records the activity's id, its
 * path and the status it answered; GET /received answers with the records.
 * A path under /fail-N/ answers 500 to its first N POSTs, and one under
 * /refuse/ always 500s: what a server that is down does.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { bodyOf } from "./hub.js";

declare module "vitest" {
  export interface ProvidedContext {
    inboxesUrl: string;
  }
}

export interface InboxRecord {
  path: string;
  activity: string;
  status: number;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const received: InboxRecord[] = [];
  const server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(received));
      return;
    }
    void bodyOf(request).then((body) => {
      const path = request.url ?? "/";
      const failures = Number(/^\/fail-(\d+)\//.exec(path)?.[1] ?? 0);
      const earlier = received.filter((record) => record.path === path).length;
      const status = path.startsWith("/refuse/") || earlier < failures ? 500 : 202;
      received.push({
        path,
        activity: String((JSON.parse(body) as { id?: unknown }).id),
        status,
      });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("inboxesUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
