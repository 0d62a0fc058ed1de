/**
 * IndieAuth (https://indieauth.spec.indieweb.org/), how a Micropub client
 * (Quill, Micropublish, …) gets a token for /micropub: the operator signs in
 * on a consent page with a secret of API_TOKENS, the client gets a code, and
 * redeems it with its PKCE verifier for an access token that may do what
 * both the secret's token and the request allow.
 *
 * Threat model. The attacker controls any client and any page a browser
 * visits, and can watch the redirect back to a client.
 * - A code or token cannot be forged: each is signed (HMAC-SHA256) with a key
 *   derived from its token's secret, which is never stored; the server keeps
 *   no list of them, so no list can leak. Rotating a secret of API_TOKENS
 *   revokes every code and token issued in its name.
 * - A stolen code is useless without the client's PKCE verifier (S256 only),
 *   and is redeemed once per process; it lives ten minutes, bound to its
 *   client_id and redirect_uri.
 * - A code goes only to a redirect_uri on the client_id's own host: the
 *   server never fetches a client's document to learn other ones, so no
 *   request can make it fetch an address of the attacker's choice.
 * - The consent form needs the secret typed in, so it cannot be forged from
 *   another site; failed secrets are slowed per address, as the API's are.
 *   The page cannot be framed, and may submit only to this site and to the
 *   client's redirect.
 * - An access token is not a code and a code is not a token (each names its
 *   kind under the signature), and a token expires after 90 days.
 * - Nothing of a request reaches a page unescaped: every value is JSX text.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Child } from "hono/jsx";
import { API_SCOPES, type ApiScope, type Config } from "../config.js";
import { failureDelay, PRIVATE } from "../http/guard.js";
import { respond } from "../http/headers.js";
import { base64url } from "../http/render-cache.js";
import { PAGE_CSP, privatePage } from "../http/pages/routes.js";
import type { Site } from "../http/site.js";
import { ROUTES } from "../scheme/routes.js";
import { ISSUED_PREFIX, type IssuedReader, type Token, type TokenKeeper } from "./auth.js";

const CODE_PREFIX = "flc";
const CODE_LIFETIME_MS = 10 * 60_000;
const TOKEN_LIFETIME_MS = 90 * 24 * 3600_000;
/** A consent form or a redemption is a few hundred bytes. */
const FORM_LIMIT_BYTES = 16 * 1024;
const JSON_HEADERS = { ...PRIVATE, "Content-Type": "application/json; charset=utf-8" };

/** What a code or an access token grants, signed into it. */
interface Grant {
  kind: "code" | "token";
  /** The API token it was issued in the name of. */
  name: string;
  scopes: ApiScope[];
  client: string;
  me: string;
  expires: number;
  id: string;
  /** Codes: where the code was sent, and the PKCE challenge its verifier must meet. */
  redirect?: string;
  challenge?: string;
}

const utf8 = new TextEncoder();
const fromBase64url = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));

async function seal(prefix: string, grant: Grant, token: Token): Promise<string> {
  const signed = `${prefix}.${base64url(utf8.encode(JSON.stringify(grant)))}`;
  const mac = await crypto.subtle.sign("HMAC", token.grantKey, utf8.encode(signed));
  return `${signed}.${base64url(new Uint8Array(mac))}`;
}

/** The grant sealed in `text` with its token, if the signature holds; whether it is still good is the caller's to check. */
async function unseal(
  prefix: string,
  text: string,
  keeper: TokenKeeper,
): Promise<{ grant: Grant; token: Token } | undefined> {
  const [given, payload, mac, ...rest] = text.split(".");
  if (given !== prefix || !payload || !mac || rest.length > 0) return undefined;
  try {
    const grant = JSON.parse(new TextDecoder().decode(fromBase64url(payload))) as Grant;
    const token = await keeper.byName(String(grant.name));
    if (!token) return undefined;
    const valid = await crypto.subtle.verify(
      "HMAC",
      token.grantKey,
      fromBase64url(mac),
      utf8.encode(`${given}.${payload}`),
    );
    return valid ? { grant, token } : undefined;
  } catch {
    return undefined;
  }
}

/** An access token this server issued, still good: its API token, narrowed to the scopes granted. */
export const readIssued: IssuedReader = async (bearer, keeper, now) => {
  const opened = await unseal(ISSUED_PREFIX, bearer, keeper);
  if (!opened || opened.grant.kind !== "token" || opened.grant.expires < now) return undefined;
  const { grant, token } = opened;
  return { ...token, scopes: token.scopes.filter((scope) => grant.scopes.includes(scope)) };
};

/** A request the consent page may act on: checked before anything is shown or sent to redirect_uri. */
interface Request {
  client: URL;
  redirect: URL;
  state: string;
  challenge: string;
  scopes: ApiScope[];
}

class BadRequest extends Error {}

function authorizationRequest(params: URLSearchParams): Request {
  const need = (name: string) => {
    const value = params.get(name);
    if (!value) throw new BadRequest(`${name} is missing`);
    return value;
  };
  if (need("response_type") !== "code") throw new BadRequest("response_type must be code");
  const url = (name: string) => {
    let parsed: URL;
    try {
      parsed = new URL(need(name));
    } catch {
      throw new BadRequest(`${name} must be a URL`);
    }
    if (!/^https?:$/.test(parsed.protocol) || parsed.username || parsed.password || parsed.hash)
      throw new BadRequest(`${name} must be an http(s) URL with no user, password or fragment`);
    return parsed;
  };
  const client = url("client_id");
  const redirect = url("redirect_uri");
  if (redirect.origin !== client.origin)
    throw new BadRequest(
      `redirect_uri must be on client_id's host (${client.origin}): this server does not fetch a client's page to learn other ones`,
    );
  if (need("code_challenge_method") !== "S256")
    throw new BadRequest("code_challenge_method must be S256: PKCE is required");
  const requested = (params.get("scope") ?? "").split(/\s+/);
  return {
    client,
    redirect,
    state: need("state"),
    challenge: need("code_challenge"),
    scopes: API_SCOPES.filter((scope) => requested.includes(scope)),
  };
}

/** A URL as the code records it (`https://app.example` is `https://app.example/`), or undefined. */
function urlOf(text: string | null): string | undefined {
  try {
    return text ? new URL(text).href : undefined;
  } catch {
    return undefined;
  }
}

const oauthError = (status: number, error: string, description: string) =>
  respond(`${JSON.stringify({ error, error_description: description })}\n`, status, JSON_HEADERS);

async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(verifier))));
}

export interface IndieAuthOptions {
  keeper: TokenKeeper;
  addressOf?: (c: Context) => string | undefined;
  now?: () => number;
}

/**
 * The routes' installer. What must outlive an app (the codes redeemed, the failures slowed) is
 * made here, once: the Node server installs the routes again into each app a reload builds.
 */
export function indieauthRoutes(options: IndieAuthOptions): (site: Site) => void {
  const { keeper, addressOf = () => undefined, now = Date.now } = options;
  const delay = failureDelay(now);
  /** Codes redeemed, until they would expire anyway. */
  const redeemed = new Map<string, number>();
  const formLimit = bodyLimit({
    maxSize: FORM_LIMIT_BYTES,
    onError: () => oauthError(413, "invalid_request", "the form must be at most 16 kB"),
  });
  return (site) => installIndieauth(site, { keeper, now, delay, redeemed, formLimit, addressOf });
}

function installIndieauth(
  site: Site,
  {
    keeper,
    now,
    delay,
    redeemed,
    formLimit,
    addressOf,
  }: Required<IndieAuthOptions> & {
    delay: (address: string) => Promise<void>;
    redeemed: Map<string, number>;
    formLimit: MiddlewareHandler;
  },
): void {
  const { config } = site;
  const me = (c: Context) => `${site.origin(c)}/`;

  site.route(ROUTES.indieauthMetadata, (c) => {
    const base = site.origin(c);
    return respond(
      `${JSON.stringify({
        issuer: `${base}/`,
        authorization_endpoint: `${base}/auth`,
        token_endpoint: `${base}/token`,
        code_challenge_methods_supported: ["S256"],
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code"],
        scopes_supported: API_SCOPES,
        authorization_response_iss_parameter_supported: true,
      })}\n`,
      200,
      { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300" },
    );
  });

  site.route(ROUTES.indieauthAuthorize, (c) => {
    const params = new URL(c.req.url).searchParams;
    try {
      return consentPage(config, authorizationRequest(params), params, 200);
    } catch (error) {
      if (error instanceof BadRequest) return problemPage(config, error.message);
      throw error;
    }
  });

  site.write(ROUTES.indieauthAuthorize, "POST", formLimit, async (c) => {
    const form = new URLSearchParams(await c.req.text());
    // A client that only needs to know who signed in redeems its code here, for the profile URL.
    if (form.has("grant_type")) {
      const redeemedGrant = await redeem(form);
      return redeemedGrant instanceof Response
        ? redeemedGrant
        : respond(`${JSON.stringify({ me: redeemedGrant.me })}\n`, 200, JSON_HEADERS);
    }
    let request: Request;
    try {
      request = authorizationRequest(form);
    } catch (error) {
      if (error instanceof BadRequest) return problemPage(config, error.message);
      throw error;
    }
    const back = (params: Record<string, string>) => {
      const to = new URL(request.redirect);
      for (const [name, value] of Object.entries({
        ...params,
        state: request.state,
        iss: `${me(c)}`,
      }))
        to.searchParams.set(name, value);
      return respond(null, 302, { ...PRIVATE, Location: to.href });
    };
    if (form.get("decision") !== "approve") return back({ error: "access_denied" });
    const token = await keeper.bySecret(form.get("token") ?? "");
    if (!token) {
      await delay(addressOf(c) ?? "unknown");
      return consentPage(config, request, form, 401, "That is not a secret of API_TOKENS.");
    }
    const code = await seal(
      CODE_PREFIX,
      {
        kind: "code",
        name: token.name,
        scopes: request.scopes.filter((scope) => token.scopes.includes(scope)),
        client: request.client.href,
        redirect: request.redirect.href,
        challenge: request.challenge,
        me: me(c),
        expires: now() + CODE_LIFETIME_MS,
        id: crypto.randomUUID(),
      },
      token,
    );
    return back({ code });
  });

  /** A code's grant, once, if the form redeems it as it was issued; else the OAuth error. */
  const redeem = async (form: URLSearchParams): Promise<Grant | Response> => {
    if (form.get("grant_type") !== "authorization_code")
      return oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code");
    const opened = await unseal(CODE_PREFIX, form.get("code") ?? "", keeper);
    const grant = opened?.grant;
    const at = now();
    if (!grant || grant.kind !== "code" || grant.expires < at || redeemed.has(grant.id))
      return oauthError(400, "invalid_grant", "the code is unknown, expired or already used");
    if (
      grant.client !== urlOf(form.get("client_id")) ||
      grant.redirect !== urlOf(form.get("redirect_uri"))
    )
      return oauthError(400, "invalid_grant", "client_id and redirect_uri must be the code's");
    if ((await s256(form.get("code_verifier") ?? "")) !== grant.challenge)
      return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge");
    for (const [id, expires] of redeemed) if (expires < at) redeemed.delete(id);
    redeemed.set(grant.id, grant.expires);
    return grant;
  };

  site.route(ROUTES.indieauthToken, () => {
    const refused = oauthError(405, "invalid_request", "the token endpoint takes a code by POST");
    refused.headers.set("Allow", "POST");
    return refused;
  });
  site.write(ROUTES.indieauthToken, "POST", formLimit, async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const grant = await redeem(form);
    if (grant instanceof Response) return grant;
    if (grant.scopes.length === 0)
      return oauthError(
        400,
        "invalid_scope",
        "this code grants no scope of create, update or delete: redeem it at the authorization endpoint for the profile alone",
      );
    const token = (await keeper.byName(grant.name))!;
    const expires = now() + TOKEN_LIFETIME_MS;
    const accessToken = await seal(
      ISSUED_PREFIX,
      { ...grant, kind: "token", expires, id: crypto.randomUUID() },
      token,
    );
    return respond(
      `${JSON.stringify({
        access_token: accessToken,
        token_type: "Bearer",
        scope: grant.scopes.join(" "),
        me: grant.me,
        expires_in: Math.floor(TOKEN_LIFETIME_MS / 1000),
      })}\n`,
      200,
      JSON_HEADERS,
    );
  });
}

/** A page of the site, private, whose form may go only here and to `redirect`. */
function page(config: Config, status: number, body: Child, redirect?: URL): Response {
  return privatePage(config, {
    title: "Sign in to publish",
    description: "A publishing client asks to write to this site.",
    body,
    status,
    headers: redirect
      ? {
          "Content-Security-Policy": PAGE_CSP.replace(
            "form-action 'self'",
            `form-action 'self' ${redirect.origin}`,
          ),
        }
      : {},
  });
}

function problemPage(config: Config, message: string): Response {
  return page(
    config,
    400,
    <>
      <h1>This sign-in request cannot be answered</h1>
      <p class="lead" role="alert">
        {message}. Go back to the app you came from and try again.
      </p>
    </>,
  );
}

function consentPage(
  config: Config,
  request: Request,
  params: URLSearchParams,
  status: number,
  message?: string,
): Response {
  const hidden = [
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "scope",
    "me",
  ].filter((name) => params.has(name));
  const asks =
    request.scopes.length > 0
      ? `to ${request.scopes.join(", ")} articles on ${config.siteTitle}`
      : `to know that you are ${config.siteTitle}'s publisher (it asks to write nothing)`;
  return page(
    config,
    status,
    <>
      <h1>Sign in to publish</h1>
      <p class="lead">
        <strong>{request.client.host}</strong> asks {asks}. It will be sent back to{" "}
        <code>{request.redirect.href}</code>.
      </p>
      {message ? (
        <p class="lead" role="alert">
          {message}
        </p>
      ) : null}
      <form class="filter" method="post" action={`${config.basePath}/auth`}>
        {hidden.map((name) => (
          <input type="hidden" name={name} value={params.get(name) ?? ""} />
        ))}
        <label for="token">Secret</label>{" "}
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          aria-describedby="token-help"
        />{" "}
        <button type="submit" name="decision" value="approve">
          Approve
        </button>{" "}
        <button type="submit" name="decision" value="deny">
          Deny
        </button>
        <p id="token-help">
          A secret of API_TOKENS. The app gets a token that may do only what that secret may and
          what it asked for, for 90 days; changing the secret ends it.
        </p>
      </form>
    </>,
    request.redirect,
  );
}
