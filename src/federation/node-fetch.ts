/**
 * Outgoing requests on Node (fetching actors and keys, delivering): https
 * only, and never to a private, loopback or link-local address. The address
 * is checked where the connection is made (undici's `connect.lookup`), so a
 * name that resolves to a public address when asked and a private one when
 * connected (DNS rebinding) is still refused; a redirect is followed by hand,
 * checked the same way (outgoing.ts). FEDERATION_ALLOW_INSECURE=true lifts both rules, for
 * tests on one machine. undici is the library Node's own fetch is built on;
 * it is a dependency because Node's fetch takes no lookup of its own.
 */
import { type LookupAddress, lookup } from "node:dns";
import { Agent, fetch as undiciFetch } from "undici";
import { RefusedAddressError, checkedFetch, isPublicAddress } from "./outgoing.js";
import type { Fetcher } from "./remote.js";

export { RefusedAddressError };

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
  const viaAgent = (url: string, init: RequestInit) =>
    (
      undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>
    ).catch((error: Error) => {
      // undici reports "fetch failed"; the refusal is its cause, and says more.
      throw error.cause instanceof RefusedAddressError ? error.cause : error;
    });
  return checkedFetch(viaAgent, allowInsecure);
}
