/**
 * Outgoing requests on Node (fetching actors and keys, delivering): https
 * only, and never to a private, loopback or link-local address. The address
 * is checked where the connection is made (undici's `connect.lookup`), so a
 * name that resolves to a public address when asked and a private one when
 * connected (DNS rebinding) is still refused; a redirect is followed by hand,
 * checked the same way. FEDERATION_ALLOW_INSECURE=true lifts both rules, for
 * tests on one machine. undici is the library Node's own fetch is built on;
 * it is a dependency because Node's fetch takes no lookup of its own.
 */
import { type LookupAddress, lookup } from "node:dns";
import ipaddr from "ipaddr.js";
import { Agent, fetch as undiciFetch } from "undici";
import type { Fetcher } from "./remote.js";

/** Redirects followed at most, each checked again. */
const MAX_REDIRECTS = 3;

export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
}

/** A public unicast address: not private, loopback, link-local, CGNAT, multicast or reserved. */
function isPublicAddress(address: string): boolean {
  try {
    return ipaddr.process(address).range() === "unicast";
  } catch {
    return false;
  }
}

export function publicOnlyFetch({ allowInsecure }: { allowInsecure: boolean }): Fetcher {
  const agent = new Agent({
    connect: {
      lookup(hostname, options, callback) {
        lookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
          if (error) return callback(error, "", 0);
          const refused = found.find(({ address }) => !isPublicAddress(address));
          if (refused && !allowInsecure)
            return callback(
              new RefusedAddressError(
                `${hostname} resolves to ${refused.address}, not a public address`,
              ),
              "",
              0,
            );
          if ((options as { all?: boolean }).all) return callback(null, found as never, 0);
          return callback(null, found[0].address, found[0].family);
        });
      },
    },
  });
  const checked = (url: string) => {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:" && !(allowInsecure && parsed.protocol === "http:"))
      throw new RefusedAddressError(
        `${parsed.protocol} is refused: only https is fetched (${url})`,
      );
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    if (ipaddr.isValid(host) && !isPublicAddress(host) && !allowInsecure)
      throw new RefusedAddressError(`${host} is not a public address`);
    return parsed.href;
  };
  return async function fetchPublic(url, init) {
    let target = checked(url);
    for (let hop = 0; ; hop++) {
      const response = (await undiciFetch(target, {
        ...(init as object),
        redirect: "manual",
        dispatcher: agent,
      }).catch((error: Error) => {
        // undici reports "fetch failed"; the refusal is its cause, and says more.
        throw error.cause instanceof RefusedAddressError ? error.cause : error;
      })) as unknown as Response;
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location) return response;
      if (hop >= MAX_REDIRECTS)
        throw new RefusedAddressError(`more than ${MAX_REDIRECTS} redirects from ${url}`);
      await response.body?.cancel();
      target = checked(new URL(location, target).href);
    }
  };
}
