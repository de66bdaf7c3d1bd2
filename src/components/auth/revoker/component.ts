// `auth/revoker` (service level, docs/reference/auth-and-tls.md §3): the revocation list every `auth/validator` checks on
// each validated request. Built before the endpoints and shared with them through env.shared.
// Revocations come in through Rampart's admin listener (KrakenD's unauthenticated Go RPC port is
// not opened) and, with `redis`, are shared by every node within a second.
import type { RevokerConfig } from './schema.js';
import cluster from 'node:cluster';
import { isIP } from 'node:net';
import { parseDuration } from '../../../config/duration.js';
import type { BuildEnv, Stage } from '../../types.js';
import { REVOCATION_KEY, type RevocationList, type RevocationProbe } from '../common/revocation.js';
import { startAdminServer } from './admin-server.js';
import { SlidingBloom } from './bloom-filter.js';
import type { RedisFeed } from './redis-feed.js';
import { buildWarning } from '../common/warn.js';
import { declaredRedis } from '../../qos/ratelimit-shared/redis-declared.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Revocable entries of a token: "claim-value" for string claims, and for each string element
 * of an array claim (KrakenD skips arrays, so e.g. a multi-valued `aud` could not be revoked). */
export function entriesOf(claims: Record<string, unknown>, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const v = claims[k];
    if (typeof v === 'string') out.push(`${k}-${v}`);
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') out.push(`${k}-${x}`);
  }
  return out;
}

/** The runtime of `auth/revoker` (schema.ts loads it on first use). */
export async function build(cfg: RevokerConfig, env: BuildEnv): Promise<Stage> {
  if (cfg.revoke_server_ping_url !== undefined || cfg.revoke_server_api_key !== undefined) {
    throw new Error('the Enterprise Revoke Server (revoke_server_*) is not supported; use "admin" and "redis" (see README)');
  }
  if (cluster.isWorker && !cfg.redis) {
    throw new Error('with more than one worker each worker keeps its own filter: configure "redis" to share revocations, or run with --workers 1');
  }
  if (cfg.port !== undefined) {
    buildWarning(env, 'auth/revoker: KrakenD\'s RPC "port" is not opened by Rampart; revocations come through "admin" (and "redis")', { port: cfg.port });
  }
  const ttlMs = cfg.TTL * 1000;
  const bloom = new SlidingBloom(cfg.N, cfg.P, ttlMs);
  const keys: string[] = cfg.token_keys;
  const closers: (() => unknown)[] = [() => bloom.close()];
  let feed: RedisFeed | undefined;
  try {
    const named = cfg.redis?.connection_name;
    if (cfg.redis && (cfg.redis.url === undefined) === (named === undefined)) throw new Error('redis: give exactly one of "url" and "connection_name"');
    const declared = named !== undefined ? declaredRedis(env, named) : undefined;
    if (named !== undefined && !declared) {
      throw new Error(`redis: no Redis connection pool or cluster named "${named}" in the service extra_config "redis"`);
    }
    if (cfg.redis && !env.dryRun) {
      // Imported here: only a revoker that shares revocations through Redis needs ioredis.
      const { connectRedisFeed } = await import('./redis-feed.js');
      const pool = declared ? (await import('../../../ratelimit/redis-pool.js')).poolConfig(declared) : undefined;
      const connected = await connectRedisFeed({
        url: cfg.redis.url,
        pool,
        prefix: cfg.redis.key_prefix ?? 'rampart:revoker',
        windowMs: 3 * ttlMs,
        connectTimeoutMs: parseDuration(cfg.redis.connect_timeout ?? '5s') ?? 5000,
        onEntry: (e) => bloom.add(e),
        log: env.log,
      });
      feed = connected;
      closers.push(() => connected.close());
    }
    if (cfg.admin && !env.dryRun) {
      const address: string = cfg.admin.address ?? '127.0.0.1';
      if (address !== 'localhost' && !isIP(address)) throw new Error(`admin.address "${address}" is not an IP address`);
      if (!LOOPBACK.has(address)) buildWarning(env, 'auth/revoker: the revocation API listens beyond loopback; restrict who can reach it', { address });
      const { server, port } = await startAdminServer({
        address,
        port: cfg.admin.port,
        keySha256: Buffer.from(cfg.admin.key_sha256, 'hex'),
        tokenKeys: keys,
        isRevoked: (e) => bloom.has(e),
        revoke: async (e) => {
          bloom.add(e);
          if (feed) await feed.publish(e);
        },
        log: env.log,
      });
      closers.push(() => new Promise<void>((r) => server.close(() => r())));
      env.log.info({ address, port }, 'auth/revoker admin listening');
    }
  } catch (err) {
    for (const c of closers) await c();
    throw err;
  }

  const list: RevocationList = {
    probe(claims): RevocationProbe | null {
      const entries = entriesOf(claims, keys);
      return entries.length > 0 ? entries.map((e) => bloom.positions(e)) : null;
    },
    isRevoked(probe) {
      for (let i = 0; i < probe.length; i++) if (bloom.hasPositions(probe[i])) return true;
      return false;
    },
  };
  env.shared.get(REVOCATION_KEY, () => list);
  return {
    async close() {
      for (const c of closers) await c();
    },
  };
}
