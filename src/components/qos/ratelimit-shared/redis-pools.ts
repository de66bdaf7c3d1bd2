// Resolves a pool name used by a limit to the process-wide client of that pool (created once,
// connected at build time with a bounded wait, closed with the gateway).
import { poolConfig, RedisPool } from '../../../ratelimit/redis-pool.js';
import type { BuildEnv } from '../../types.js';
import { declaredRedis } from './redis-declared.js';

export async function getRedisPool(env: BuildEnv, name: string): Promise<RedisPool> {
  const declared = declaredRedis(env, name);
  if (!declared)
    throw new Error(
      `no Redis connection pool or cluster named "${name}": declare it in the service extra_config "redis": {"connection_pools": [{"name": "${name}", "address": "host:port"}]} (or "clusters": [{"name": "${name}", "addresses": ["host:port", ...]}])`,
    );
  const pool = env.shared.get(`redis-pool:${name}`, () => {
    const p = new RedisPool(poolConfig(declared), env.log);
    env.shared.onClose(() => p.close());
    return p;
  });
  // `rampart check` validates the pool settings but connects to nothing.
  if (!env.dryRun) await env.shared.get(`redis-pool-start:${name}`, () => pool.start());
  return pool;
}
