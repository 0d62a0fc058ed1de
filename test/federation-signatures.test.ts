/**
 * HTTP Signatures against the specifications' own examples: draft-cavage-12
 * appendix C (RSA, rsa-sha256: deterministic, so we sign to the very bytes),
 * and RFC 9421 appendix B.2.6 (Ed25519, also deterministic). Then the ways a
 * request must be refused: a wrong key, a changed body, an old date, a part
 * left unsigned.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type SignedMessage,
  SignatureError,
  contentDigest,
  importPublicKey,
  signRequest,
  signRequestRfc9421,
  verifyRequest,
} from "../src/federation/signatures.js";

// draft-cavage-http-signatures-12, appendix C: the test key (RSA 1024).
const CAVAGE_KEY = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----`;
/** Appendix C.2, "Basic Test": (request-target) host date. */
const CAVAGE_BASIC =
  "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=";
const CAVAGE_DATE = Date.parse("Sun, 05 Jan 2014 21:31:40 GMT");

// RFC 9421 appendix B.1.4 (test-key-ed25519) and B.2.6.
const ED25519_PRIVATE = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
const ED25519_PUBLIC = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
const B26_SIGNATURE =
  "sig1=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";
const B26_CREATED = 1618884473;
const B2_BODY = new TextEncoder().encode('{"hello": "world"}');
const b2Request = (): SignedMessage => ({
  method: "POST",
  url: "https://example.com/foo?param=Value&Pet=dog",
  headers: {
    host: "example.com",
    date: "Tue, 20 Apr 2021 02:07:55 GMT",
    "content-type": "application/json",
    "content-digest":
      "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
    "content-length": "18",
  },
  body: B2_BODY,
});
const B26_FIELDS = ["date", "@method", "@path", "@authority", "content-type", "content-length"];

const pkcs8 = (pem: string) =>
  createPrivateKey(pem).export({ type: "pkcs8", format: "der" }) as Buffer<ArrayBuffer>;
const cavagePrivate = () =>
  crypto.subtle.importKey(
    "pkcs8",
    pkcs8(CAVAGE_KEY),
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
const cavagePublic = () =>
  importPublicKey(createPublicKey(CAVAGE_KEY).export({ type: "spki", format: "pem" }) as string);
const ed25519Private = () =>
  crypto.subtle.importKey(
    "pkcs8",
    Buffer.from(ED25519_PRIVATE, "base64"),
    { name: "Ed25519" },
    false,
    ["sign"],
  );
const ed25519Public = () =>
  importPublicKey(`-----BEGIN PUBLIC KEY-----\n${ED25519_PUBLIC}\n-----END PUBLIC KEY-----`);

/** The appendix's request, without its body: the Basic Test signs no digest. */
/** A key that did not sign anything here: a wrong key, or the one a sender has since rotated. */
async function anotherPublicKey(): Promise<CryptoKey> {
  const pair = (await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return pair.publicKey;
}

const cavageBasic = (): SignedMessage => ({
  method: "POST",
  url: "https://example.com/foo?param=value&pet=dog",
  headers: {},
});

describe("draft-cavage signatures", () => {
  it("signs the specification's Basic Test to its published signature", async () => {
    const headers = await signRequest(
      cavageBasic(),
      { id: "Test", privateKey: await cavagePrivate() },
      CAVAGE_DATE,
    );
    expect(headers.date).toBe("Sun, 05 Jan 2014 21:31:40 GMT");
    expect(headers.signature).toBe(
      `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="${CAVAGE_BASIC}"`,
    );
  });

  it("verifies that signature with the test key, and refuses it with another key or at another time", async () => {
    const message = {
      ...cavageBasic(),
      headers: {
        host: "example.com",
        date: "Sun, 05 Jan 2014 21:31:40 GMT",
        signature: `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="${CAVAGE_BASIC}"`,
      },
    };
    const key = await cavagePublic();
    expect(
      await verifyRequest(
        message,
        async (id) => (id === "Test" ? key : undefined),
        CAVAGE_DATE + 60_000,
      ),
    ).toBe("Test");
    const other = await anotherPublicKey();
    await expect(verifyRequest(message, async () => other, CAVAGE_DATE)).rejects.toThrow(
      /does not verify/,
    );
    await expect(verifyRequest(message, async () => key, CAVAGE_DATE + 3600_000)).rejects.toThrow(
      /minutes from this server's clock/,
    );
    await expect(verifyRequest(message, async () => undefined, CAVAGE_DATE)).rejects.toThrow(
      /cannot be fetched/,
    );
  });

  it("asks for the key again past its cache before refusing (a rotated key)", async () => {
    const privateKey = await cavagePrivate();
    const signed = await signRequest(cavageBasic(), { id: "Test", privateKey }, CAVAGE_DATE);
    const stale = await anotherPublicKey();
    const fresh = await cavagePublic();
    const asked: boolean[] = [];
    const found = await verifyRequest(
      { ...cavageBasic(), headers: signed },
      async (_, refresh) => (asked.push(refresh), refresh ? fresh : stale),
      CAVAGE_DATE,
    );
    expect(found).toBe("Test");
    expect(asked).toEqual([false, true]);
  });

  it("signs a POST with the body's digest, and refuses a changed body, a missing digest or an unsigned host", async () => {
    const privateKey = await cavagePrivate();
    const key = await cavagePublic();
    const body = new TextEncoder().encode('{"type":"Follow"}');
    const post = {
      method: "POST",
      url: "https://example.com/inbox",
      headers: { "content-type": "application/activity+json" },
      body,
    };
    const signed = await signRequest(post, { id: "Test", privateKey }, CAVAGE_DATE);
    expect(signed.signature).toContain('headers="(request-target) host date digest"');
    const find = async () => key;
    expect(await verifyRequest({ ...post, headers: signed }, find, CAVAGE_DATE)).toBe("Test");
    const changed = {
      ...post,
      headers: signed,
      body: new TextEncoder().encode('{"type":"Block"}'),
    };
    await expect(verifyRequest(changed, find, CAVAGE_DATE)).rejects.toThrow(
      /digest does not match the body/,
    );
    const { digest: _, ...withoutDigest } = signed;
    await expect(
      verifyRequest({ ...post, headers: withoutDigest }, find, CAVAGE_DATE),
    ).rejects.toThrow(/must send digest/);
    const narrow = {
      ...signed,
      signature: signed.signature.replace(
        "(request-target) host date digest",
        "(request-target) date digest",
      ),
    };
    await expect(verifyRequest({ ...post, headers: narrow }, find, CAVAGE_DATE)).rejects.toThrow(
      /must cover host/,
    );
    await expect(
      verifyRequest({ ...post, headers: { host: "example.com" } }, find, CAVAGE_DATE),
    ).rejects.toBeInstanceOf(SignatureError);
  });
});

describe("RFC 9421 signatures", () => {
  it("signs appendix B.2.6 to its published signature", async () => {
    const headers = await signRequestRfc9421(
      b2Request(),
      { id: "test-key-ed25519", alg: "ed25519", privateKey: await ed25519Private() },
      B26_FIELDS,
      B26_CREATED,
    );
    // The label ("sig-b26" in the RFC) is not signed.
    expect(headers["Signature-Input"].replace(/^[^=]+=/, "")).toBe(
      '("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    );
    expect(headers.Signature.replace(/^[^=]+=/, "")).toBe(B26_SIGNATURE.replace(/^[^=]+=/, ""));
  });

  it("verifies B.2.6, with the digest checked against the body", async () => {
    const request = b2Request();
    const headers = {
      ...request.headers,
      "signature-input":
        'sig1=("date" "@method" "@path" "@authority" "content-type" "content-length" "content-digest");created=1618884473;keyid="test-key-ed25519"',
      signature: B26_SIGNATURE,
    };
    const key = await ed25519Public();
    // B.2.6 does not cover content-digest, which a request with a body must: it is refused as it stands.
    await expect(
      verifyRequest(
        {
          ...request,
          headers: {
            ...request.headers,
            "signature-input":
              'sig1=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
            signature: B26_SIGNATURE,
          },
        },
        async () => key,
        B26_CREATED * 1000,
      ),
    ).rejects.toThrow(/must cover content-digest/);
    // Covering it changes the signature base, so the published signature no longer verifies.
    await expect(
      verifyRequest({ ...request, headers }, async () => key, B26_CREATED * 1000),
    ).rejects.toThrow(/does not verify/);
    // Without a body, the published signature verifies as it is.
    const bodiless = {
      ...request,
      body: undefined,
      headers: {
        ...request.headers,
        "signature-input":
          'sig1=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
        signature: B26_SIGNATURE,
      },
    };
    expect(await verifyRequest(bodiless, async () => key, B26_CREATED * 1000)).toBe(
      "test-key-ed25519",
    );
    await expect(
      verifyRequest(bodiless, async () => key, (B26_CREATED + 600) * 1000),
    ).rejects.toThrow(/created is more than 5 minutes/);
  });

  it("signs and verifies a POST that covers its Content-Digest, and refuses a changed body", async () => {
    const privateKey = await ed25519Private();
    const key = await ed25519Public();
    const body = new TextEncoder().encode('{"type":"Follow"}');
    const base = {
      method: "POST",
      url: "https://example.com/inbox",
      headers: { "content-digest": await contentDigest(body) },
      body,
    };
    const headers = await signRequestRfc9421(
      base,
      { id: "k", alg: "ed25519", privateKey },
      ["@method", "@target-uri", "content-digest"],
      B26_CREATED,
    );
    const signed = {
      ...base,
      headers: {
        ...base.headers,
        "signature-input": headers["Signature-Input"],
        signature: headers.Signature,
      },
    };
    expect(await verifyRequest(signed, async () => key, B26_CREATED * 1000)).toBe("k");
    await expect(
      verifyRequest(
        { ...signed, body: new TextEncoder().encode("{}") },
        async () => key,
        B26_CREATED * 1000,
      ),
    ).rejects.toThrow(/content-digest does not match/);
  });
});
