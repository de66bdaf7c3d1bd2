// For the benchmark's JWT route: mints N distinct RS256 tokens (distinct sub and jti, valid for an
// hour) and writes the public JWKS to a file for `jwk_local_path`. Usage:
//   const { tokens, jwksPath, validator } = await mintBenchTokens(1000);
//   endpoint.extra_config = { 'auth/validator': validator };
//   request i sends `Authorization: Bearer ${tokens[i % tokens.length]}`
// The tokens are also written one per line to `tokensPath` (for a wrk Lua script).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const BENCH_ISSUER = 'https://issuer.bench.rampart.test';
export const BENCH_AUDIENCE = 'rampart-bench';

export interface BenchTokens {
  tokens: string[];
  jwksPath: string;
  tokensPath: string;
  /** The `auth/validator` block for the bench endpoint. */
  validator: Record<string, unknown>;
}

export async function mintBenchTokens(n: number, opts: { dir?: string; lifetimeS?: number } = {}): Promise<BenchTokens> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'bench-rs256';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'rampart-bench-jwks-'));
  const jwksPath = join(dir, 'bench-jwks.json');
  writeFileSync(jwksPath, JSON.stringify({ keys: [jwk] }));
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (opts.lifetimeS ?? 3600);
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    tokens.push(
      await new SignJWT({ sub: `user-${i}`, jti: `bench-${i}-${now}`, roles: ['user'], iss: BENCH_ISSUER, aud: BENCH_AUDIENCE, iat: now, exp })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(privateKey),
    );
  }
  const tokensPath = join(dir, 'bench-tokens.txt');
  writeFileSync(tokensPath, tokens.join('\n') + '\n');
  return {
    tokens,
    jwksPath,
    tokensPath,
    validator: { alg: 'RS256', jwk_local_path: jwksPath, issuer: BENCH_ISSUER, audience: [BENCH_AUDIENCE], roles: ['user'] },
  };
}
