// Turns one KrakenD limit object (router / service / tier) into limiter checks: the per-client
// bucket first, then the shared one (KrakenD's order: a request refused per client consumes no
// shared token). Everything is decided here, at startup; a config KrakenD would silently ignore
// (unknown strategy, missing key, both rates 0) is refused.
import { parseDuration } from '../../../config/duration.js';
import type { Check } from '../../../ratelimit/checks.js';
import { compileClientKey, STRATEGIES, type Strategy } from '../../../ratelimit/client-key.js';
import { createLimiter, type LimiterSpec } from '../../../ratelimit/create-limiter.js';
import type { Limiter } from '../../../ratelimit/limiter.js';
import { limitMetrics } from '../../../ratelimit/metrics.js';
import { defaultCapacity, ratePolicy, type Policy } from '../../../ratelimit/policy.js';
import type { RedisFailureMode } from '../../../ratelimit/redis-limiter.js';
import { compileRejection } from '../../../ratelimit/rejection.js';
import type { BuildEnv, Rejection } from '../../types.js';
import { refusal } from '../../types.js';

export const DEFAULT_MAX_TRACKED = 100_000;
/** KrakenD answers a request without a client identity with 429. */
export const MISSING_IDENTITY: Rejection = refusal('limit.no_identity', 'qos/ratelimit', 'no client identity to limit by');

export interface LimitCfg {
  max_rate?: number;
  capacity?: number;
  client_max_rate?: number;
  client_capacity?: number;
  strategy?: string;
  key?: string;
  every?: string;
  cleanup_period?: string;
  max_tracked_clients?: number;
  connection_name?: string;
  connection_pool?: string;
  on_failure_allow?: boolean;
  on_redis_failure?: RedisFailureMode;
}

export interface LimitTarget {
  env: BuildEnv;
  /** Readable prefix of the limiter ids, e.g. "GET /foo qos/ratelimit/router". */
  id: string;
  /** RateLimit-Policy name of the shared bucket ("endpoint", "service", "tier-gold"). */
  sharedName: string;
  /** Periods below this are read as this (KrakenD: 1 s for router/service limits). */
  minEveryMs: number;
}

export interface BuiltLimit {
  checks: Check[];
  limiters: Limiter[];
}

/** Where the config makes the gateway set `header` during authentication (propagated claims,
 * API-key roles), as JSON pointers. (A GeoIP country header is set at the edge, before every
 * limit, so limits read the gateway's value there too.) */
function gatewaySetters(header: string, env: BuildEnv): string[] {
  const lower = header.toLowerCase();
  const at: string[] = [];
  const keys = env.service.extra['auth/api-keys'] as { propagate_role?: string } | undefined;
  if (keys?.propagate_role?.toLowerCase() === lower) at.push('/extra_config/auth~1api-keys/propagate_role');
  for (const ep of env.service.endpoints) {
    const v = ep.extra['auth/validator'] as { propagate_claims?: unknown } | undefined;
    const pairs = Array.isArray(v?.propagate_claims) ? (v.propagate_claims as unknown[]) : [];
    if (pairs.some((p) => Array.isArray(p) && typeof p[1] === 'string' && p[1].toLowerCase() === lower))
      at.push(`${ep.pointer}/extra_config/auth~1validator/propagate_claims`);
  }
  return at;
}

/** A service-level limit runs before authentication, when only the client's copy of a header
 * exists: keyed on a header the gateway sets later, it would let every client choose its bucket. */
export function refuseGatewaySetHeaderAtService(header: string, env: BuildEnv, where: string): void {
  const at = gatewaySetters(header, env);
  if (at.length > 0) {
    throw new Error(
      `${where}header "${header}" is set by the gateway after authentication (${at[0]}); a service-level limit runs before it and would read the client's copy: key the limit at endpoint level`,
    );
  }
}

export function parseStrategy(raw: string | undefined, key: string | undefined, env: BuildEnv, where = ''): Strategy {
  const s = (raw ?? '').toLowerCase() as Strategy;
  // KrakenD turns the per-client limit off (a warning log) without a strategy it knows; Rampart
  // refuses instead, so a limit the file declares is never silently absent (issue #18 wording).
  if (raw === undefined)
    throw new Error(
      `${where}a client limit needs "strategy" (${STRATEGIES.join(', ')})${where ? '' : ': without one KrakenD silently applies no per-client limit'}; write "strategy": "ip" to limit each client address, or remove the client limit`,
    );
  if (!STRATEGIES.includes(s))
    throw new Error(
      `${where}strategy ${JSON.stringify(raw)} is not one of ${STRATEGIES.join(', ')} (a client limit needs one): KrakenD silently applies no per-client limit with it; write one of them, or remove the client limit`,
    );
  if (s !== 'ip' && !key)
    throw new Error(`${where}strategy "${s}" needs "key" (the ${s === 'header' ? 'header name' : s === 'param' ? 'path placeholder' : 'claim name'})`);
  if ((s === 'param' || s === 'claim') && env.scope !== 'endpoint') {
    throw new Error(`${where}strategy "${s}" is not available at ${env.scope} level: ${env.scope} limits run before routing and authentication`);
  }
  if (s === 'param' && env.scope === 'endpoint' && !env.endpoint.path.includes(`{${key}}`))
    throw new Error(`${where}strategy "param": the endpoint has no {${key}} placeholder`);
  if (s === 'header' && env.scope === 'service' && key) refuseGatewaySetHeaderAtService(key, env, where);
  if (s === 'ip' && key && env.service.router.trustedProxies.length === 0) {
    env.log.warn(
      { at: env.pointer },
      `${where}strategy "ip" with key "${key}": the header is ignored because router.trusted_proxies is empty (it would let clients choose their own bucket)`,
    );
  }
  return s;
}

export function parseEvery(every: string | undefined, minMs: number, env: BuildEnv, where = ''): number {
  const ms = every === undefined ? 1000 : parseDuration(every);
  if (ms === undefined) throw new Error(`${where}every: invalid duration "${every}"`);
  if (ms === 0 && minMs <= 1) throw new Error(`${where}every must be above 0`);
  if (ms < minMs) {
    env.log.warn({ at: env.pointer }, `${where}every "${every}" is below ${minMs} ms and is read as ${minMs} ms (as KrakenD does)`);
    return Math.max(minMs, 1);
  }
  return ms;
}

/** The Redis part of a limit: pool and failure behaviour, or undefined for node-local. */
export async function parseRedis(cfg: LimitCfg, env: BuildEnv, where = ''): Promise<LimiterSpec['redis'] | undefined> {
  const name = cfg.connection_name ?? cfg.connection_pool;
  if (cfg.connection_name && cfg.connection_pool && cfg.connection_name !== cfg.connection_pool) {
    throw new Error(`${where}connection_name and connection_pool name different pools`);
  }
  if (cfg.on_failure_allow !== undefined && cfg.on_redis_failure !== undefined) throw new Error(`${where}use on_redis_failure or on_failure_allow, not both`);
  if (!name) {
    if (cfg.on_redis_failure !== undefined || cfg.on_failure_allow !== undefined)
      throw new Error(`${where}on_redis_failure/on_failure_allow need connection_name`);
    return undefined;
  }
  // KrakenD EE's on_failure_allow, when written, keeps its meaning (true: admit, false: refuse).
  const onFailure: RedisFailureMode = cfg.on_failure_allow === undefined ? (cfg.on_redis_failure ?? 'local') : cfg.on_failure_allow ? 'allow' : 'deny';
  // Imported here: only limits that name a pool need ioredis.
  const { getRedisPool } = await import('./redis-pools.js');
  const pool = await getRedisPool(env, name);
  const service = env.service.name ? `${env.service.name}:` : '';
  return { pool, onFailure, prefix: `rampart:rl:${service}` };
}

export async function buildLimit(cfg: LimitCfg, t: LimitTarget, where = ''): Promise<BuiltLimit> {
  const { env } = t;
  const maxRate = cfg.max_rate ?? 0;
  const clientRate = cfg.client_max_rate ?? 0;
  if (maxRate <= 0 && clientRate <= 0) throw new Error(`${where}max_rate and client_max_rate are both 0: this limit would do nothing`);
  const everyMs = parseEvery(cfg.every, t.minEveryMs, env, where);
  const redis = await parseRedis(cfg, env, where);
  const maxKeys = cfg.max_tracked_clients ?? DEFAULT_MAX_TRACKED;
  const sweepMs = Math.max(1000, (cfg.cleanup_period && parseDuration(cfg.cleanup_period)) || 60_000);
  const out: BuiltLimit = { checks: [], limiters: [] };
  const add = (role: string, policy: Policy, status: number, name: string, keyOf: Check['keyOf'], keys: number) => {
    const id = `${t.id} ${role}`;
    const limiter = createLimiter({ id, policy, maxKeys: keys, sweepMs, redis: redis && { ...redis, prefix: `${redis.prefix}${id}:` } }, env.log);
    out.limiters.push(limiter);
    out.checks.push({ limiter, keyOf, reject: compileRejection(status, name, policy), missing: MISSING_IDENTITY, refused: limitMetrics.rejectedCell(id) });
  };
  if (clientRate > 0) {
    const strategy = parseStrategy(cfg.strategy, cfg.key, env, where);
    // Deviation: KrakenD derives the default client capacity from max_rate (a bug, docs/reference/traffic-and-http-security.md §1);
    // Rampart implements the documented intent.
    const cap = cfg.client_capacity || defaultCapacity(clientRate, everyMs);
    const keyOf = compileClientKey(strategy, cfg.key, env.service.router.trustedProxies);
    add('client', ratePolicy(clientRate, everyMs, cap), 429, 'client', keyOf, maxKeys);
  } else if (cfg.strategy !== undefined || cfg.client_capacity) {
    env.log.warn({ at: env.pointer }, `${where}strategy/client_capacity have no effect without client_max_rate`);
  }
  // Issue #5 asks for 429 on every client-facing limit (KrakenD answers 503 for max_rate; the
  // issue wins over the spec). The backend-protecting proxy limit keeps 503.
  if (maxRate > 0) add('shared', ratePolicy(maxRate, everyMs, cfg.capacity || defaultCapacity(maxRate, everyMs)), 429, t.sharedName, null, 1);
  return out;
}
