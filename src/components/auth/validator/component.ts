// `auth/validator`: JWT validation at endpoint level (docs/reference/auth-and-tls.md §1). Everything is compiled at build:
// the key source (shared per URL), claim rules, role/scope decision and claim propagation. Per
// request, a token seen before is answered from a bounded cache of verified tokens (an entry
// answers only the exact token string it was verified for; `exp` and revocation re-checked on
// every hit), so RS256 is verified once per token, not once per request. Failures answer a bare 401 (403 for missing roles/scopes): the
// reason goes to the debug log, never to the client, and the token itself is never logged.
import { deepFreeze } from '../../../core/deep-freeze.js';
import { compactVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { parseDuration } from '../../../config/duration.js';
import type { BackendBuildEnv, BuildEnv, EndpointBuildEnv, Guard, RequestContext, Rejection, Stage } from '../../types.js';
import type { ValidatorConfig, ValidatorEndpointConfig } from './schema.js';
import { refusal } from '../../types.js';
import type { JwsAlg } from '../common/algorithms.js';
import { REVOCATION_KEY, type RevocationList, type RevocationProbe } from '../common/revocation.js';
import { compileAuthorizer } from './authorize.js';
import { compileClaimChecks } from './check-claims.js';
import { compileExtractor, MAX_TOKEN_LENGTH } from './extract-token.js';
import { headerId, type KeyStrategy, type LookupPolicy, type TokenHeader } from './jwks-cache.js';
import { compilePropagation, propagatedHeaders } from './propagate.js';
import { resolveKeySource } from './key-source.js';

const BEARER = Object.freeze(['www-authenticate', 'Bearer']);
const REJECT_401: Rejection = refusal('auth.jwt.invalid', 'auth/validator', undefined, { headers: BEARER });
const REJECT_403: Rejection = refusal('auth.jwt.forbidden', 'auth/validator', 'missing role or scope');
/** One frozen 401 per reason (the reasons are fixed texts of this module and jose's messages,
 * never token contents); bounded, past the bound the reason-less one. */
const byReason = new Map<string, Rejection>();
function rejection401(reason: string): Rejection {
  let r = byReason.get(reason);
  if (r) return r;
  if (byReason.size >= 256) return REJECT_401;
  r = refusal(reason === 'no token' ? 'auth.jwt.missing' : 'auth.jwt.invalid', 'auth/validator', reason, { headers: BEARER });
  byReason.set(reason, r);
  return r;
}
const DEFAULT_COOLDOWN_MS = 10_000;
const TOKEN_CACHE_MAX = 10_000;
const TOKEN_CACHE_BYTES = 32 * 1024 * 1024;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The cache is indexed by the token's last CACHE_KEY_CHARS characters, not the whole token: a
 * Map lookup hashes its key character by character, and a fresh ~800-character header string
 * cost ~1 µs of hashing per request; the tail of a valid token is its signature (uniformly
 * distributed), so 32 characters (192 bits) tell cached tokens apart. The index only finds the
 * candidate: a hit still requires the whole token to equal the one verified (Verified.token), so a
 * forged token that shares a cached token's signature is a miss and is verified in full. */
const CACHE_KEY_CHARS = 32;
function cacheKey(token: string): string {
  return token.length <= CACHE_KEY_CHARS ? token : token.slice(token.length - CACHE_KEY_CHARS);
}

interface Verified {
  /** The exact token this entry was verified for. */
  token: string;
  claims: Readonly<Record<string, unknown>>;
  exp: number;
  revocation: RevocationProbe | null;
  forbidden: boolean;
  headers: string[] | null;
  size: number;
}

function ms(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseDuration(text) ?? fallback);
}

async function buildEndpoint(cfg: ValidatorEndpointConfig, env: EndpointBuildEnv | BackendBuildEnv): Promise<Stage> {
  const alg = cfg.alg as JwsAlg;
  const where = `${env.endpoint.method} ${env.endpoint.path}`;
  const cooldownMs = Math.max(1000, ms(cfg.jwk_refresh_cooldown, DEFAULT_COOLDOWN_MS));
  const keys = resolveKeySource(cfg, env, 'auth/validator');
  const policy: LookupPolicy = {
    alg,
    strategy: (cfg.key_identify_strategy ?? 'kid') as KeyStrategy,
    // Without `cache` KrakenD downloads the set on every request; Rampart keeps it for one
    // cooldown interval instead (a client must not be able to make the gateway hammer the IdP).
    maxAgeMs: cfg.cache === true ? (cfg.cache_duration || 900) * 1000 : cooldownMs,
    cooldownMs,
  };
  const failedCooldownMs = ms(cfg.failed_jwk_key_cooldown, 0) >= 1000 ? ms(cfg.failed_jwk_key_cooldown, 0) : 0;
  const leewayS = Math.max(1, ms(cfg.leeway, 1000) / 1000);
  const extract = compileExtractor(cfg.auth_header_name ?? 'Authorization', cfg.cookie_key);
  const checkClaims = compileClaimChecks({ issuer: cfg.issuer, audience: cfg.audience, leewayS });
  const authorize = compileAuthorizer({
    roles: cfg.roles,
    rolesKey: cfg.roles_key ?? 'roles',
    rolesKeyIsNested: cfg.roles_key_is_nested === true,
    scopes: cfg.scopes,
    scopesKey: cfg.scopes_key,
    scopesMatcher: cfg.scopes_matcher === 'all' ? 'all' : 'any',
  });
  const props = compilePropagation(cfg.propagate_claims ?? []);
  const preserveArray = cfg.propagate_claims_preserve_array === true;
  let revoker: RevocationList | undefined;
  if (env.service.extra[REVOCATION_KEY] !== undefined) {
    revoker = env.shared.get<RevocationList>(REVOCATION_KEY, () => {
      throw new Error('auth/revoker is configured but could not be built (see its error)');
    });
  }

  const log = env.log;
  const debugLevel = cfg.operation_debug === true ? 'info' : 'debug';
  const tokens = new LRUCache<string, Verified>({ max: TOKEN_CACHE_MAX, maxSize: TOKEN_CACHE_BYTES, sizeCalculation: (v, k) => k.length * 2 + v.size });
  /** The verified entry of exactly this token, or undefined (absent, or another token's entry). */
  const cached = (token: string): Verified | undefined => {
    const v = tokens.get(cacheKey(token));
    return v !== undefined && v.token === token ? v : undefined;
  };
  // A key that disappears from the set (rotation after a compromise) must stop vouching for the
  // tokens it signed: forget every verified token.
  keys.onKeysRemoved(() => tokens.clear());
  const failedIds = failedCooldownMs > 0 ? new LRUCache<string, true>({ max: 10_000, ttl: failedCooldownMs }) : undefined;

  const reject = (reason: string): Rejection => {
    if (log.isLevelEnabled(debugLevel)) log[debugLevel]({ endpoint: where, reason }, 'JWT rejected');
    return rejection401(reason);
  };

  const admit = (ctx: RequestContext, v: Verified): Rejection | undefined => {
    if (v.forbidden) {
      if (log.isLevelEnabled(debugLevel)) log[debugLevel]({ endpoint: where, reason: 'missing role or scope' }, 'JWT forbidden');
      return REJECT_403;
    }
    ctx.claims = v.claims as Record<string, unknown>;
    if (v.headers) {
      if (ctx.upstreamHeaders) for (const h of v.headers) ctx.upstreamHeaders.push(h);
      else ctx.upstreamHeaders = v.headers.slice();
    }
    return undefined;
  };

  /** Full verification of a token not in the cache: the verified entry, or why it failed. */
  async function verifyToken(token: string): Promise<Verified | string> {
    if (token.length > MAX_TOKEN_LENGTH) return 'token too long';
    const d1 = token.indexOf('.');
    const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
    // Compact serialization only (RFC 7515 §7.1); JWS JSON and JWE are refused.
    if (d1 <= 0 || d2 < 0 || token.indexOf('.', d2 + 1) >= 0) return 'not a compact JWS';
    let header: TokenHeader & { alg?: unknown };
    try {
      header = JSON.parse(decoder.decode(Buffer.from(token.slice(0, d1), 'base64url')));
    } catch {
      return 'malformed header';
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) return 'malformed header';
    // The algorithm is pinned by config: `none`, HS* against an RSA key, etc. never get further.
    if (header.alg !== alg) return 'algorithm not allowed';
    const id = failedIds ? headerId(header, policy.strategy) : undefined;
    if (id !== undefined && failedIds?.has(id)) return 'unknown key id (cooling down)';
    const key = await keys.lookup(header, policy);
    if (!key) {
      if (id !== undefined) failedIds?.set(id, true);
      return 'no matching key';
    }
    let claims: Record<string, unknown>;
    try {
      const { payload } = await compactVerify(token, key, { algorithms: [alg] });
      claims = JSON.parse(decoder.decode(payload));
    } catch {
      return 'signature or payload invalid';
    }
    if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return 'payload is not a claims object';
    const bad = checkClaims(claims, Date.now() / 1000);
    if (bad) return bad;
    const revocation = revoker ? revoker.probe(claims) : null;
    if (revocation && revoker?.isRevoked(revocation)) return 'token revoked';
    const v: Verified = {
      token,
      claims: deepFreeze(claims),
      exp: claims.exp as number,
      revocation,
      forbidden: authorize ? !authorize(claims) : false,
      headers: props.length > 0 ? propagatedHeaders(props, claims, preserveArray) : null,
      // The token string is held by the entry: its bytes count (UTF-16 bound), as when it was the key.
      size: token.length * 2 + 256,
    };
    tokens.set(cacheKey(token), v);
    return v;
  }

  // Concurrent requests with the same new token share one verification.
  const pending = new Map<string, Promise<Verified | string>>();
  function verify(ctx: RequestContext, token: string): Promise<Rejection | undefined> {
    let p = pending.get(token);
    if (!p) {
      p = verifyToken(token).catch(() => 'verification failed');
      pending.set(token, p);
      void p.then(() => pending.delete(token));
    }
    return p.then((r) => (typeof r === 'string' ? reject(r) : admit(ctx, r)));
  }

  const guard: Guard = (ctx) => {
    const token = extract(ctx.req);
    if (!token) return reject('no token');
    const hit = cached(token);
    if (hit === undefined) return verify(ctx, token);
    if (Date.now() / 1000 - leewayS > hit.exp) {
      tokens.delete(cacheKey(token));
      return reject('token expired');
    }
    if (hit.revocation && revoker?.isRevoked(hit.revocation)) return reject('token revoked');
    return admit(ctx, hit);
  };

  return { onRequest: guard, close: () => tokens.clear() };
}

/** The runtime of `auth/validator` (schema.ts loads it on first use). */
export function build(cfg: ValidatorConfig, env: BuildEnv): Promise<Stage> | null {
  if (env.scope === 'service') {
    // KrakenD's second-level JWKS cache (`shared_cache_duration`): Rampart always shares one key
    // cache per JWK set URL, keyed by URL and key id, so there is nothing more to build.
    return null;
  }
  // Outside service scope the endpoint schema is the one that validated cfg.
  return buildEndpoint(cfg as ValidatorEndpointConfig, env);
}
