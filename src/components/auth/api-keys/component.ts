// `auth/api-keys` (KrakenD EE, docs/reference/auth-and-tls.md §4). Service level: the known keys — as SHA-256 digests of
// salt‖key (`hash: "sha256"`, hex); `plain` keys only with `allow_plain_keys: true`, and the
// non-cryptographic `fnv128` and broken `sha1` never. Endpoint level: the roles it admits (any-of).
// A missing key, an unknown key and a key without an admitted role all get the same bare 401, so
// a caller learns nothing about which keys exist.
import type { ApiKeysConfig, ApiKeysEndpointConfig, ApiKeysServiceConfig } from './schema.js';
import type { BuildEnv, Guard, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';
import { KeyStore, type StoredKey } from './key-store.js';
import { buildWarning } from '../common/warn.js';

const SHARED_KEY = 'auth/api-keys';
const REJECT_MISSING: Rejection = refusal('auth.apikey.missing', 'auth/api-keys', 'no API key');
const REJECT_401: Rejection = refusal('auth.apikey.invalid', 'auth/api-keys', 'unknown key or no allowed role');
const REJECT_429: Rejection = refusal('auth.apikey.rate', 'auth/api-keys', 'key over its rate');

interface ServiceKeys {
  store: KeyStore;
  strategy: 'header' | 'query_string';
  identifier: string | undefined;
  propagateRole: string | undefined;
}

function buildService(cfg: ApiKeysServiceConfig, env: BuildEnv): null {
  const hash: string = cfg.hash ?? 'plain';
  if (hash === 'fnv128' || hash === 'sha1') throw new Error(`hash "${hash}" is not a secure digest for API keys; store SHA-256 digests with "hash": "sha256"`);
  if (hash === 'plain' && cfg.allow_plain_keys !== true) {
    throw new Error(
      'API keys are stored in plain text; store their SHA-256 digests with "hash": "sha256" (`rampart migrate` computes them), or set "allow_plain_keys": true',
    );
  }
  if (hash === 'plain') buildWarning(env, 'INSECURE: auth/api-keys: plain-text keys in the config (allow_plain_keys)');
  const salt: string = cfg.salt ?? '';
  const store = new KeyStore(salt);
  const seen = new Set<string>();
  (cfg.keys as { key: string; roles: string[] }[]).forEach((k, i) => {
    let digest: Buffer;
    if (hash === 'sha256') {
      if (!/^[0-9a-fA-F]{64}$/.test(k.key)) throw new Error(`keys/${i}/key: want the hex SHA-256 digest of salt+key (64 hex digits)`);
      digest = Buffer.from(k.key, 'hex');
    } else digest = KeyStore.digest(salt, k.key);
    const hex = digest.toString('hex');
    if (seen.has(hex)) throw new Error(`keys/${i}/key: the same key is declared twice`);
    seen.add(hex);
    store.add(digest, Object.freeze([...k.roles]), i);
  });
  const strategy = cfg.strategy ?? 'header';
  if (strategy === 'query_string') buildWarning(env, 'auth/api-keys: keys in the query string end up in logs and caches along the way; prefer a header');
  env.shared.get<ServiceKeys>(SHARED_KEY, () => ({ store, strategy, identifier: cfg.identifier, propagateRole: cfg.propagate_role?.toLowerCase() }));
  return null;
}

function queryValue(raw: string, name: string): string | undefined {
  if (!raw) return undefined;
  for (const [k, v] of new URLSearchParams(raw)) if (k === name) return v;
  return undefined;
}

/** Token bucket per key: `rate` requests per second, bursts up to max(1, rate). */
function compileRateLimit(rate: number): (k: StoredKey) => boolean {
  const burst = Math.max(1, rate);
  const buckets = new Map<number, { tokens: number; at: number }>();
  return (k) => {
    const now = performance.now();
    let b = buckets.get(k.id);
    if (!b) buckets.set(k.id, (b = { tokens: burst, at: now }));
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
}

function buildEndpoint(cfg: ApiKeysEndpointConfig, env: BuildEnv): Stage {
  if (env.service.extra[SHARED_KEY] === undefined) throw new Error('needs "auth/api-keys" with the keys at service level');
  const svc = env.shared.get<ServiceKeys>(SHARED_KEY, () => {
    throw new Error('the service-level auth/api-keys could not be built (see its error)');
  });
  const strategy = cfg.strategy ?? svc.strategy;
  const identifier: string = cfg.identifier ?? (cfg.strategy ? undefined : svc.identifier) ?? (strategy === 'header' ? 'Authorization' : 'key');
  const header = identifier.toLowerCase();
  const isAuthorization = header === 'authorization';
  const allowed: readonly string[] = cfg.roles;
  const withinRate = cfg.client_max_rate ? compileRateLimit(cfg.client_max_rate) : undefined;
  const propagate = svc.propagateRole;
  const log = env.log;

  const read = (ctx: Parameters<Guard>[0]): string | undefined => {
    if (strategy === 'query_string') return queryValue(ctx.rawQuery, identifier);
    const raw = ctx.req.headers[header];
    let v = Array.isArray(raw) ? raw[0] : raw;
    // With the Authorization header the key is sent as "Bearer <key>"; a bare key works too.
    if (v && isAuthorization && v.length > 7 && v.slice(0, 7).toLowerCase() === 'bearer ') v = v.slice(7).trim();
    return v || undefined;
  };

  const guard: Guard = (ctx) => {
    const presented = read(ctx);
    if (!presented) return REJECT_MISSING;
    const key = svc.store.find(presented);
    const role = key?.roles.find((r) => allowed.includes(r));
    if (!key || role === undefined) {
      if (log.isLevelEnabled('debug')) log.debug({ endpoint: ctx.path, reason: key ? 'key lacks an allowed role' : 'unknown key' }, 'API key rejected');
      return REJECT_401;
    }
    if (withinRate && !withinRate(key)) return REJECT_429;
    if (propagate) (ctx.upstreamHeaders ??= []).push(propagate, role);
    return undefined;
  };
  return { onRequest: guard };
}

/** The runtime of `auth/api-keys` (schema.ts loads it on first use). */
export function build(cfg: ApiKeysConfig, env: BuildEnv): Stage | null {
  // Each scope's value passed that scope's schema.
  return env.scope === 'service' ? buildService(cfg as ApiKeysServiceConfig, env) : buildEndpoint(cfg as ApiKeysEndpointConfig, env);
}
