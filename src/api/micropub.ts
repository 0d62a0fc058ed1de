/**
 * Micropub (W3C Recommendation, https://www.w3.org/TR/micropub/) on top of
 * the article API, for the clients that exist. A bookmark post (an h-entry
 * with `bookmark-of`) is exactly a news item about someone else's article:
 *
 *   name -> title, summary (else content) -> excerpt, bookmark-of -> webUrl,
 *   category -> topics, published -> publishedDateTime (default: now),
 *   photo -> images, provider-name (else the host) and the host -> provider,
 *   mp-slug -> the key's slug (the key is the date and the slug).
 *
 * q=source gives the excerpt back as content.
 * Create (form-encoded and JSON), update (replace, add, delete), delete,
 * q=config, q=source and q=syndicate-to. There is no media endpoint: a photo
 * is a URL. The token may come in the Authorization header or, as Micropub
 * allows, as `access_token` in a form body. A post's URL is its article's
 * API URL (`/api/articles/{key}`); an update or delete may name the article's
 * `webUrl` instead.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { HttpError } from "../http/errors.js";
import type { Site } from "../http/site.js";
import { slugOf } from "../content/keys.js";
import { ROUTES } from "../scheme/routes.js";
import { ApiError, type Token, apiGuard, json } from "./auth.js";
import { checkedKey, fieldsOf, fileTextOf, jsonBody, mediaTypeOf } from "./document.js";
import type { ApplyFor, ArticleFiles, Stored } from "./writes.js";
import { ARTICLE_LIMIT_BYTES, permitted, tooLarge, validArticleFor } from "./rules.js";
import { PRIVATE } from "../http/guard.js";
import { respond } from "../http/headers.js";

type Properties = Record<string, unknown[]>;

export interface MicropubContext {
  files: ArticleFiles;
  apply: ApplyFor;
  handle: ReturnType<typeof apiGuard>;
  log: (line: string) => void;
  now: () => number;
}

type MicropubRequest =
  | { action: "create"; properties: Properties }
  | { action: "delete"; url: string }
  | {
      action: "update";
      url: string;
      replace?: Properties;
      add?: Properties;
      delete?: string[] | Properties;
    };

/** Micropub's error codes (section 3.8), by status. */
const ERRORS: Record<number, string> = { 401: "unauthorized", 403: "forbidden" };

/** Micropub's refusals: `error` and `error_description`; an invalid article is a 400 there. */
const refuse = (error: HttpError): Response =>
  json(
    { error: ERRORS[error.status] ?? "invalid_request", error_description: error.message },
    error.status === 422 ? 400 : error.status,
    error.headers,
  );

const badRequest = (description: string) => new ApiError(400, description);

export function micropubRoutes(
  site: Site,
  { files, apply, handle, log, now }: MicropubContext,
): void {
  const dialect = { bearer: formToken, refuse };
  const limit = bodyLimit({
    maxSize: ARTICLE_LIMIT_BYTES,
    onError: () => refuse(tooLarge(ARTICLE_LIMIT_BYTES)),
  });
  const postUrl = (c: Context, key: string) =>
    `${site.origin(c)}/api/articles/${encodeURIComponent(key)}`;

  /** The article a Micropub `url` names: its API URL, or its webUrl. */
  const postNamed = async (c: Context, url: string): Promise<{ key: string; stored: Stored }> => {
    const prefix = `${site.origin(c)}/api/articles/`;
    const key = url.startsWith(prefix)
      ? checkedKey(decodeURIComponent(url.slice(prefix.length)))
      : await files.keyOfUrl(url);
    const stored = key === undefined ? undefined : await files.read(key);
    if (key === undefined || !stored) throw badRequest(`url: no post at ${url.slice(0, 200)}`);
    return { key, stored };
  };

  const query = async (c: Context) => {
    const q = c.req.query("q");
    if (q === "config")
      return json(
        { "syndicate-to": [], "post-types": [{ type: "bookmark", name: "Bookmark" }] },
        200,
      );
    if (q === "syndicate-to") return json({ "syndicate-to": [] }, 200);
    if (q !== "source")
      throw badRequest(`q=${q ?? ""}: this endpoint answers q=config, q=source and q=syndicate-to`);
    const { stored } = await postNamed(c, c.req.query("url") ?? "");
    const properties = propertiesOf(fieldsOf(stored.text));
    const wanted = c.req.queries("properties[]") ?? c.req.queries("properties") ?? [];
    if (wanted.length === 0) return json({ type: ["h-entry"], properties }, 200);
    return json(
      {
        properties: Object.fromEntries(
          wanted.filter((name) => name in properties).map((name) => [name, properties[name]]),
        ),
      },
      200,
    );
  };

  /** Writes one article's new text, after the same checks as a PUT; logs it. */
  const write = async (
    c: Context,
    token: Token,
    key: string,
    text: string | undefined,
    action: string,
  ) => {
    if (text !== undefined) validArticleFor(token, key, text);
    const change = { key, text };
    const [{ result }] = await apply(c, token.name, [change], (_, stored) =>
      permitted(token, change, stored, {}),
    );
    log(`feedloom micropub: ${token.name} ${action} ${key} ${result}`);
    return result;
  };

  const post = async (c: Context, token: Token) => {
    const request = await micropubRequest(c);
    if (request.action === "create") {
      const published =
        first(request.properties.published) ??
        new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z");
      const fields = fieldsFrom(request.properties, String(published), {});
      const key = await keyFor(files, request.properties, fields);
      const result = await write(c, token, key, fileTextOf(fields), "create");
      return respond(null, result === "created" ? 201 : 200, {
        ...PRIVATE,
        Location: postUrl(c, key),
      });
    }
    const { key, stored } = await postNamed(c, request.url);
    if (request.action === "delete") await write(c, token, key, undefined, "delete");
    else {
      const fields = fieldsOf(stored.text);
      const properties = updated(propertiesOf(fields), request);
      const published = first(properties.published) ?? fields.publishedDateTime;
      await write(
        c,
        token,
        key,
        fileTextOf(fieldsFrom(properties, String(published), fields)),
        "update",
      );
    }
    return respond(null, 204, PRIVATE);
  };

  site.route(ROUTES.micropub, handle(false, query, dialect));
  site.write(ROUTES.micropub, "POST", limit, handle(true, post, dialect));
}

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];
const formOf = (c: Context) => c.req.parseBody({ all: true });

/** Micropub lets a form carry its token as access_token. */
async function formToken(c: Context): Promise<string | undefined> {
  if (c.req.method !== "POST" || !FORM_TYPES.includes(mediaTypeOf(c))) return undefined;
  const token = (await formOf(c)).access_token;
  return typeof token === "string" ? token : undefined;
}

/** A create, update or delete, from a form (section 3.3.1) or JSON (3.3.2). */
async function micropubRequest(c: Context): Promise<MicropubRequest> {
  if (mediaTypeOf(c) === "application/json") {
    const body = (await jsonBody(c)) as Record<string, unknown> | null;
    if (typeof body !== "object" || body === null)
      throw badRequest("the body is not a JSON object");
    if (body.action === "delete" || body.action === "update") {
      if (typeof body.url !== "string")
        throw badRequest(`${body.action} needs the url of the post`);
      return body as MicropubRequest;
    }
    if (body.action !== undefined)
      throw badRequest(
        `action ${String(body.action)}: this endpoint takes create, update and delete`,
      );
    if (!Array.isArray(body.type) || body.type[0] !== "h-entry")
      throw badRequest('type: only ["h-entry"] posts');
    return { action: "create", properties: (body.properties ?? {}) as Properties };
  }
  if (!FORM_TYPES.includes(mediaTypeOf(c)))
    throw new ApiError(415, "send a Micropub request form-encoded or as JSON");
  const form = await formOf(c);
  const values = (name: string) => [form[name] ?? form[`${name}[]`] ?? []].flat();
  if (
    Object.values(form)
      .flat()
      .some((value) => typeof value !== "string")
  )
    throw badRequest("this endpoint has no media endpoint: send a photo as a URL");
  const action = form.action ?? "create";
  if (action === "delete") {
    const url = values("url")[0];
    if (typeof url !== "string") throw badRequest("delete needs the url of the post");
    return { action, url };
  }
  if (action !== "create")
    throw badRequest(`action ${String(action)}: a form takes create and delete; update is JSON`);
  if ((form.h ?? "entry") !== "entry") throw badRequest("h: only h=entry posts");
  const properties: Properties = {};
  for (const name of Object.keys(form)) {
    const property = name.replace(/\[\]$/, "");
    if (!["h", "access_token", "action"].includes(property))
      properties[property] = values(property);
  }
  return { action: "create", properties };
}

const first = (values: unknown[] | undefined) => values?.[0];
const textOf = (value: unknown): string | undefined => {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const { value: plain, html } = value as { value?: unknown; html?: unknown };
    if (typeof plain === "string") return plain;
    // The feeds escape whatever an excerpt holds; the tags are taken out so that the text reads well.
    if (typeof html === "string") return html.replace(/<[^>]*>/g, "");
  }
  return undefined;
};

/** The front matter of a bookmark post, over the fields of the article it updates (`base`). */
function fieldsFrom(properties: Properties, published: string, base: Record<string, unknown>) {
  const url = first(properties["bookmark-of"]);
  if (typeof url !== "string")
    throw badRequest(
      "bookmark-of: this endpoint takes bookmark posts; bookmark-of is the article's URL",
    );
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^www\./, "");
  } catch {
    throw badRequest(`bookmark-of: ${url.slice(0, 200)} is not a URL`);
  }
  const {
    title: _t,
    excerpt: _e,
    topics: _c,
    images: _p,
    webUrl: _w,
    publishedDateTime: _d,
    ...kept
  } = base;
  const excerpt = textOf(first(properties.summary)) ?? textOf(first(properties.content));
  const providerName = textOf(first(properties["provider-name"]));
  return {
    ...kept,
    title: textOf(first(properties.name)),
    ...(excerpt !== undefined ? { excerpt } : {}),
    publishedDateTime: published,
    webUrl: url,
    provider: { ...(base.provider as object), name: providerName ?? host, domain: host },
    ...(properties.category ? { topics: properties.category } : {}),
    ...(properties.photo
      ? { images: properties.photo.map((photo) => ({ url: textOf(photo) ?? photo })) }
      : {}),
  };
}

/** An article's fields as Micropub properties (q=source, and what an update starts from). */
function propertiesOf(fields: Record<string, unknown>): Properties {
  const provider = (fields.provider ?? {}) as { name?: unknown };
  const images = Array.isArray(fields.images) ? fields.images : [];
  const listed = (value: unknown) => (value === undefined || value === "" ? [] : [value]);
  const properties: Properties = {
    name: listed(fields.title),
    // The excerpt comes back as content, the property clients edit (a create may give it as summary).
    content: listed(fields.excerpt),
    published: listed(fields.publishedDateTime),
    "bookmark-of": listed(fields.webUrl),
    category: Array.isArray(fields.topics) ? fields.topics : [],
    photo: images
      .map((image) => (image as { url?: unknown }).url)
      .filter((url) => url !== undefined),
    "provider-name": listed(provider.name),
  };
  return Object.fromEntries(Object.entries(properties).filter(([, values]) => values.length > 0));
}

/** Section 3.4: replace, add, then delete (whole properties, or some of their values). */
function updated(
  properties: Properties,
  request: Extract<MicropubRequest, { action: "update" }>,
): Properties {
  const result = { ...properties };
  for (const [name, values] of Object.entries(request.replace ?? {}))
    result[name] = [values].flat();
  for (const [name, values] of Object.entries(request.add ?? {}))
    result[name] = [...(result[name] ?? []), ...[values].flat()];
  if (Array.isArray(request.delete)) for (const name of request.delete) delete result[name];
  else
    for (const [name, values] of Object.entries(request.delete ?? {}))
      result[name] = (result[name] ?? []).filter((value) => ![values].flat().includes(value));
  return result;
}

/** `YYYY-MM-DD-slug` from the date and mp-slug (else the name); a number is added when another URL has it. */
async function keyFor(
  files: ArticleFiles,
  properties: Properties,
  fields: { title?: string; webUrl: string; publishedDateTime: string },
) {
  const slug = slugOf(String(first(properties["mp-slug"]) ?? fields.title ?? ""), "post");
  const day = /^\d{4}-\d\d-\d\d/.exec(fields.publishedDateTime)?.[0] ?? "undated";
  for (let n = 1; n <= 20; n++) {
    const key = n === 1 ? `${day}-${slug}` : `${day}-${slug}-${n}`;
    const stored = await files.read(key);
    if (!stored || fieldsOf(stored.text).webUrl === fields.webUrl) return key;
  }
  throw badRequest(
    `mp-slug: ${day}-${slug} and 19 numbered keys after it are taken; give another mp-slug`,
  );
}
