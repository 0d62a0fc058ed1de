/**
 * The key pair every account signs with (RSA 2048, RSASSA-PKCS1-v1_5 with
 * SHA-256: what Mastodon verifies), made by Web Crypto, and kept as JWK by
 * whoever stores it (Node: a file under STATE_DIR readable by its user only).
 */
import { publicKeyPem } from "./signatures.js";

const RSA_KEY = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
} as const;

export interface KeyPair {
  privateKey: CryptoKey;
  publicKeyPem: string;
}

export interface StoredKeys {
  privateKey: JsonWebKey;
  publicKey: JsonWebKey;
}

export async function makeKeys(): Promise<StoredKeys> {
  const made = (await crypto.subtle.generateKey(RSA_KEY, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  return {
    privateKey: await crypto.subtle.exportKey("jwk", made.privateKey),
    publicKey: await crypto.subtle.exportKey("jwk", made.publicKey),
  };
}

/** The stored keys as signing key and published PEM; the private key cannot be exported again. */
export async function keyPairOf(stored: StoredKeys): Promise<KeyPair> {
  const privateKey = await crypto.subtle.importKey("jwk", stored.privateKey, RSA_KEY, false, [
    "sign",
  ]);
  const publicKey = await crypto.subtle.importKey("jwk", stored.publicKey, RSA_KEY, true, [
    "verify",
  ]);
  return { privateKey, publicKeyPem: await publicKeyPem(publicKey) };
}
