/**
 * How a fediverse server asks for an actor or a post on a page's URL: by
 * content negotiation, for ActivityStreams JSON under either of its media
 * types. A module of its own so that a Worker can tell these requests apart
 * without loading the rest of federation.
 */
export const ACTIVITY_JSON = "application/activity+json";

export function acceptsActivity(accept: string | null | undefined): boolean {
  return !!accept && (accept.includes(ACTIVITY_JSON) || accept.includes("application/ld+json"));
}
