/**
 * A WebSub hub for the Workers tests, run in Node (global setup): it records
 * each `hub.mode=publish` POST, and answers GET /received with what it got,
 * so a test inside workerd can see what the Worker told it.
 */
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    hubUrl: string;
  }
}

/** A request's whole body, as text (the Workers' global setups' servers read small forms and JSON). */
export async function bodyOf(request: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of request) body += chunk;
  return body;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const received: string[][] = [];
  const server = createServer((request, response) => {
    if (request.method === "GET") {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(received));
      return;
    }
    void bodyOf(request).then((body) => {
      const form = new URLSearchParams(body);
      if (form.get("hub.mode") === "publish") received.push(form.getAll("hub.url"));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("hubUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`);
  return () => new Promise((resolve) => server.close(() => resolve()));
}
