// Which JWKs may serve the JWS algorithms Rampart accepts (jws-algs.ts). The algorithm is always
// fixed by config; a key is only ever used with the one algorithm its type fits (RSA: RS*/PS*,
// EC: ES* on the matching curve, OKP: EdDSA, oct: HS*), so neither `none` nor
// HMAC-with-a-public-key confusion can happen (RFC 8725 §2.1, §3.1).
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { JwsAlg } from './jws-algs.js';

export type { JwsAlg } from './jws-algs.js';

const EC_CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

export function ktyFor(alg: JwsAlg): 'oct' | 'RSA' | 'EC' | 'OKP' {
  if (alg.startsWith('HS')) return 'oct';
  if (alg.startsWith('RS') || alg.startsWith('PS')) return 'RSA';
  if (alg.startsWith('ES')) return 'EC';
  return 'OKP';
}

/** Why a JWK cannot be used with `alg` for `purpose`, or undefined when it can. Stricter than
 * KrakenD: a key that declares another `alg`, a `use` other than `sig` or `key_ops` without the
 * operation is not used (RFC 7517 §4.2-4.4). */
export function unusableReason(jwk: JWK, alg: JwsAlg, purpose: 'verify' | 'sign'): string | undefined {
  const kty = ktyFor(alg);
  if (jwk.kty !== kty) return `key type ${String(jwk.kty)} cannot be used with ${alg}`;
  if (kty === 'EC' && jwk.crv !== EC_CURVE[alg]) return `curve ${String(jwk.crv)} does not match ${alg}`;
  if (kty === 'OKP' && jwk.crv !== 'Ed25519' && jwk.crv !== 'Ed448') return `curve ${String(jwk.crv)} is not an EdDSA curve`;
  if (jwk.alg !== undefined && jwk.alg !== alg) return `key is declared for ${jwk.alg}`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `key use is ${jwk.use}`;
  if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes(purpose)) return `key_ops does not allow ${purpose}`;
  if (purpose === 'sign' && kty !== 'oct' && typeof jwk.d !== 'string') return 'key has no private part';
  if (kty === 'oct' && (typeof jwk.k !== 'string' || jwk.k.length === 0)) return 'oct key has no "k"';
  return undefined;
}

/** Imports a key for verification: only the public members of an asymmetric key are used. */
export async function importVerifyKey(jwk: JWK, alg: JwsAlg): Promise<CryptoKey | Uint8Array> {
  const pub: JWK = { ...jwk };
  if (ktyFor(alg) !== 'oct') for (const m of PRIVATE_MEMBERS) delete (pub as Record<string, unknown>)[m];
  delete pub.key_ops;
  delete pub.use;
  delete pub.ext;
  return importJWK(pub, alg);
}

export async function importSignKey(jwk: JWK, alg: JwsAlg): Promise<CryptoKey | Uint8Array> {
  const priv: JWK = { ...jwk };
  delete priv.key_ops;
  delete priv.use;
  delete priv.ext;
  return importJWK(priv, alg);
}
