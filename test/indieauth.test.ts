/**
 * IndieAuth on Node, with oauth4webapi (an independent OAuth 2 client, strict
 * about RFC 8414 metadata, PKCE and RFC 9207's iss) as the Micropub client:
 * it finds the endpoints, the operator approves on the consent page with a
 * secret of API_TOKENS, and the client redeems the code for a token that
 * posts through Micropub with no more than both allow. Then what must fail:
 * a wrong secret, a denial, a reused or altered code, a wrong verifier, a
 * redirect elsewhere, a token used past a rotated secret.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { type LiveSite, startLiveSite } from "../src/entry/live-site.js";
import { FIXTURES, PROCESS_TEST_TIMEOUT } from "./helpers.js";

const ORIGIN = "https://feeds.example.com";
const SECRET = "indieauth-secret-of-thirty-two-chars";
const NARROW = "indieauth-narrow-secret-thirty-two";
const CLIENT = "https://quill.example.net/";
const REDIRECT = "https://quill.example.net/auth/callback";
const work = mkdtempSync(join(tmpdir(), "feedloom-indieauth-"));
const dir = join(work, "data");
let site: LiveSite;

async function start(tokens: string): Promise<LiveSite> {
  return startLiveSite({
    dir,
    config: loadConfig({ PUBLIC_URL: ORIGIN }),
    env: {
      API_TOKENS: tokens,
      // Watched, as a server is: a post goes live in a new app, which must still know the codes used.
      DATA_RESCAN_SECONDS: "1",
      STATE_DIR: join(work, "state"),
      FEEDLOOM_CACHE_DIR: "off",
    },
  });
}

const TOKENS = `quill:create,update,delete:${SECRET} writer:create:${NARROW}`;
beforeAll(async () => {
  cpSync(FIXTURES, dir, { recursive: true });
  site = await start(TOKENS);
});
afterAll(() => {
  site.close();
  rmSync(work, { recursive: true, force: true });
});

/** What the client's requests reach: the site, as if over HTTPS. */
const through = () => ({
  [oauth.customFetch]: async (url: string, init: RequestInit) => site.fetch(new Request(url, init)),
});
async function until(done: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const client: oauth.Client = { client_id: CLIENT, token_endpoint_auth_method: "none" };

async function discover(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(`${ORIGIN}/`);
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...through() }),
  );
}

/** The client's authorization URL, and what it keeps to finish. */
async function authorization(as: oauth.AuthorizationServer, scope: string, clientId = CLIENT) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    scope,
    me: `${ORIGIN}/`,
  }))
    url.searchParams.set(name, value);
  return { url, verifier, state };
}

/** The operator's answer on the consent page: its form, posted with a secret and a decision. */
async function consent(url: URL, secret: string, decision = "approve"): Promise<Response> {
  const page = await site.fetch(new Request(url));
  expect(page.status).toBe(200);
  const html = await page.text();
  const fields = [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map(
    ([, name, value]) => [name, value.replace(/&amp;/g, "&").replace(/&quot;/g, '"')],
  );
  return site.fetch(
    new Request(`${ORIGIN}/auth`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([...fields, ["token", secret], ["decision", decision]]).toString(),
    }),
  );
}

async function signIn(scope: string, secret = SECRET) {
  const as = await discover();
  const { url, verifier, state } = await authorization(as, scope);
  const approved = await consent(url, secret);
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get("location")!);
  const params = oauth.validateAuthResponse(as, client, callback, state);
  return { as, params, verifier, callback };
}

const redeem = async (as: oauth.AuthorizationServer, params: URLSearchParams, verifier: string) =>
  oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    REDIRECT,
    verifier,
    through(),
  );

/** A POST to the token endpoint with these fields, as a client that does not use oauth4webapi sends it. */
const tokenPost = (fields: Record<string, string>) =>
  site.fetch(
    new Request(`${ORIGIN}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", ...fields }).toString(),
    }),
  );

const micropubPost = (token: string, name: string) =>
  site.fetch(
    new Request(`${ORIGIN}/micropub`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams([
        ["h", "entry"],
        ["name", name],
        ["bookmark-of", `https://wire.example.com/${encodeURIComponent(name)}`],
        ["category", "AI"],
      ]).toString(),
    }),
  );

describe("IndieAuth", { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it("is found from the home page and its metadata, as the client requires", async () => {
    const home = await (
      await site.fetch(new Request(`${ORIGIN}/`, { headers: { Accept: "text/html" } }))
    ).text();
    expect(home).toContain(
      `<link rel="indieauth-metadata" href="${ORIGIN}/.well-known/oauth-authorization-server"/>`,
    );
    expect(home).toContain(`<link rel="authorization_endpoint" href="${ORIGIN}/auth"/>`);
    expect(home).toContain(`<link rel="token_endpoint" href="${ORIGIN}/token"/>`);
    const as = await discover();
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
  });

  it("issues a token for what was approved, which posts through Micropub", async () => {
    const { as, params, verifier } = await signIn("create update profile");
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await redeem(as, params, verifier),
    );
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope).toBe("create update");
    expect(tokens.me).toBe(`${ORIGIN}/`);
    expect(tokens.access_token).toMatch(/^fl1\./);
    const created = await micropubPost(tokens.access_token, "Posted with an IndieAuth token");
    expect(created.status).toBe(201);
    // The post went live: the server built a new app around it, which must not forget the code was used.
    await until(async () =>
      (await (await site.fetch(new Request(`${ORIGIN}/feed.json`))).text()).includes(
        "Posted with an IndieAuth token",
      ),
    );
    // The code was good once.
    const again = await redeem(as, params, verifier);
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe("invalid_grant");
  });

  it("grants no more than the secret's token may, whatever the client asks", async () => {
    const { as, params, verifier } = await signIn("create update delete", NARROW);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await redeem(as, params, verifier),
    );
    expect(tokens.scope).toBe("create");
  });

  it("shows the client and what it asks for on the consent page, escaped", async () => {
    const as = await discover();
    const { url } = await authorization(as, "create");
    url.searchParams.set("state", '"><script>alert(1)</script>');
    const page = await site.fetch(new Request(url));
    const html = await page.text();
    expect(html).toContain("<strong>quill.example.net</strong> asks to create articles on");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(page.headers.get("content-security-policy")).toMatch(
      /form-action 'self' https:\/\/quill\.example\.net;.*frame-ancestors 'none'/,
    );
    expect(page.headers.get("cache-control")).toBe("private, no-store");
  });

  it("refuses a wrong secret on the page, and sends a denial back as access_denied", async () => {
    const as = await discover();
    const { url, state } = await authorization(as, "create");
    const wrong = await consent(url, "not-a-secret-of-api-tokens-at-all");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That is not a secret of API_TOKENS.");
    const denied = await consent(url, "", "deny");
    expect(denied.status).toBe(302);
    const callback = new URL(denied.headers.get("location")!);
    expect(() => oauth.validateAuthResponse(as, client, callback, state)).toThrow();
    expect(callback.searchParams.get("error")).toBe("access_denied");
  });

  it("redeems a code only with its verifier, client and redirect, and unaltered", async () => {
    const { as, params, verifier } = await signIn("create");
    const wrongVerifier = await redeem(as, params, oauth.generateRandomCodeVerifier());
    expect((await wrongVerifier.json()).error).toBe("invalid_grant");
    const code = params.get("code")!;
    const redemption = (fields: Record<string, string>) =>
      tokenPost({
        code,
        client_id: CLIENT,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
        ...fields,
      });
    const [prefix, payload, mac] = code.split(".");
    const widened = JSON.parse(Buffer.from(payload, "base64url").toString());
    widened.scopes = ["create", "update", "delete"];
    const altered = `${prefix}.${Buffer.from(JSON.stringify(widened)).toString("base64url")}.${mac}`;
    for (const fields of [
      { code: altered } as Record<string, string>,
      { redirect_uri: "https://quill.example.net/other" },
      { client_id: "https://other.example.net/" },
    ])
      expect((await (await redemption(fields)).json()).error).toBe("invalid_grant");
    // Still unused after those: the right redemption works.
    expect((await redeem(as, params, verifier)).status).toBe(200);
  });

  it("takes a client_id as the client wrote it, at both ends (no trailing slash)", async () => {
    const clientId = "https://quill.example.net";
    const { url, verifier } = await authorization(await discover(), "create", clientId);
    const approved = await consent(url, SECRET);
    const code = new URL(approved.headers.get("location")!).searchParams.get("code")!;
    const redeemed = await tokenPost({
      code,
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(redeemed.status).toBe(200);
    expect((await redeemed.json()).scope).toBe("create");
  });

  it("sends a code only back to the client's own host", async () => {
    const as = await discover();
    const { url } = await authorization(as, "create");
    url.searchParams.set("redirect_uri", "https://attacker.example/steal");
    const page = await site.fetch(new Request(url));
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("redirect_uri must be on client_id&#39;s host");
  });

  it("takes a code as a token never, and no token once its secret is rotated", async () => {
    const { as, params, verifier } = await signIn("create");
    expect((await micropubPost(params.get("code")!, "With a code")).status).toBe(401);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await redeem(as, params, verifier),
    );
    site.close();
    site = await start(`quill:create,update,delete:rotated-secret-of-thirty-two-chars`);
    expect((await micropubPost(tokens.access_token, "After rotation")).status).toBe(401);
    site.close();
    site = await start(TOKENS);
  });
});
