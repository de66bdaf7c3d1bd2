// Keys and tokens for auth tests: a signing key with its public JWKS, tokens minted with jose, and
// the classic forgeries (alg none, HS256 keyed with the RSA public key, tampered payloads,
// jku/x5u/jwk header injection).
import { createHmac, createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  /** PEM of the public key (what an HS/RS confusion attack uses as the HMAC secret). */
  publicPem: string;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicPem = createPublicKey({ key: publicJwk as any, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { kid, alg, privateKey, publicJwk, privateJwk, publicPem };
}

export function jwks(...keys: SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.publicJwk) };
}

export function writeJwksFile(doc: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rampart-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

export const nowS = () => Math.floor(Date.now() / 1000);

export async function mint(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const body: JWTPayload = { exp: nowS() + 600, iat: nowS(), ...claims };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  return new SignJWT(body).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An unsigned token (RFC 7519 §6). */
export function unsecured(claims: object, kid?: string): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64({ exp: nowS() + 600, ...claims })}.`;
}

/** HMAC-signed token with an arbitrary secret (e.g. the RSA public key PEM: alg confusion). */
export function hmacToken(secret: string | Buffer, claims: object, header: object = {}): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64({ exp: nowS() + 600, ...claims })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Replaces the payload of a signed token, keeping its header and signature. */
export function tamper(token: string, claims: object): string {
  const [h, , s] = token.split('.');
  return `${h}.${b64(claims)}.${s}`;
}
