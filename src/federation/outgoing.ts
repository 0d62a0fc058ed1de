/**
 * The rules every outgoing request of federation keeps, on any platform:
 * https only, never to a literal private, loopback or link-local address,
 * and a redirect followed by hand (at most MAX_REDIRECTS), each hop checked
 * again. Node also checks the address each name resolves to when it connects
 * (node-fetch.ts); a Worker's connections are made by Cloudflare's network.
 * FEDERATION_ALLOW_INSECURE=true lifts the rules, for tests on one machine.
 */
import ipaddr from "ipaddr.js";
import type { Fetcher } from "./remote.js";

/** Redirects followed at most, each checked again. */
const MAX_REDIRECTS = 3;

export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
}

/** A public unicast address: not private, loopback, link-local, CGNAT, multicast or reserved. */
export function isPublicAddress(address: string): boolean {
  try {
    return ipaddr.process(address).range() === "unicast";
  } catch {
    return false;
  }
}

/** The URL to fetch, or a RefusedAddressError saying why not. */
export function checkedUrl(url: string, allowInsecure: boolean): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:" && !(allowInsecure && parsed.protocol === "http:"))
    throw new RefusedAddressError(`${parsed.protocol} is refused: only https is fetched (${url})`);
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  const local = host === "localhost" || host.endsWith(".localhost");
  if ((local || (ipaddr.isValid(host) && !isPublicAddress(host))) && !allowInsecure)
    throw new RefusedAddressError(`${host} is not a public address`);
  return parsed.href;
}

/** `fetch` (which must not follow redirects itself) with every hop's URL checked. */
export function checkedFetch(
  fetch: (url: string, init: RequestInit) => Promise<Response>,
  allowInsecure: boolean,
): Fetcher {
  return async function fetchPublic(url, init) {
    let target = checkedUrl(url, allowInsecure);
    for (let hop = 0; ; hop++) {
      const response = await fetch(target, { ...init, redirect: "manual" });
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location) return response;
      if (hop >= MAX_REDIRECTS)
        throw new RefusedAddressError(`more than ${MAX_REDIRECTS} redirects from ${url}`);
      await response.body?.cancel();
      target = checkedUrl(new URL(location, target).href, allowInsecure);
    }
  };
}
