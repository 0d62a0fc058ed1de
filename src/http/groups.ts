/** Finding the topic or provider a URL names: shared by the feed routes and the pages. */
import type { Context } from "hono";
import { providerKey, topicKey } from "../content/keys.js";
import type { FeedScope } from "../feeds/model.js";
import type { GroupInfo, GroupKind } from "../index/store.js";
import { SEGMENT } from "../scheme/paths.js";
import { HttpError, clip } from "./errors.js";
import { type Site, searchOf } from "./site.js";

const KEY_OF: Record<GroupKind, (name: string) => string> = {
  topic: topicKey,
  provider: providerKey,
};

/**
 * The group named by `:key`; a redirect (301) when `:key` is a name rather
 * than its key ("AI Hardware" for ai-hardware), keeping the rest of the path
 * before (`prefix`) and after it (`rest`) and the query; else a 404 listing the closest keys.
 */
export async function findGroup(
  c: Context,
  { store, redirect }: Site,
  kind: GroupKind,
  rest: string,
  prefix = "",
): Promise<GroupInfo | Response> {
  const asked = c.req.param("key") ?? "";
  const group = await store.group(kind, asked);
  if (group) return group;
  const canonical = KEY_OF[kind](asked);
  if (canonical !== asked && (await store.group(kind, canonical))) {
    return redirect(
      `${prefix}/${SEGMENT[kind]}/${encodeURIComponent(canonical)}${rest}${searchOf(c.req.url)}`,
    );
  }
  const close = await store.closestKeys(kind, asked);
  throw new HttpError(
    404,
    `no ${kind} "${clip(asked)}". Closest: ${close.join(", ") || "none"}. All ${SEGMENT[kind]}: /${SEGMENT[kind]}.json`,
    {},
    close.map((key) => ({
      label: key,
      path: `${prefix}/${SEGMENT[kind]}/${encodeURIComponent(key)}${rest}`,
    })),
  );
}

/** The feed scope of a topic or provider: its key, its name for titles, and a provider's logo for the icon. */
export const scopeOf = (group: GroupInfo): FeedScope =>
  ({
    kind: group.kind,
    key: group.key,
    name: group.name,
    ...(group.logo ? { logo: group.logo } : {}),
  }) as FeedScope;

/** The scope a route's pattern names: everything, or the group `:key` names (findGroup: else a redirect or a 404). */
export async function findScope(
  c: Context,
  site: Site,
  kind: "all" | GroupKind,
  rest: string,
): Promise<{ scope: FeedScope; group?: GroupInfo } | Response> {
  if (kind === "all") return { scope: { kind } };
  const group = await findGroup(c, site, kind, rest);
  return group instanceof Response ? group : { scope: scopeOf(group), group };
}
