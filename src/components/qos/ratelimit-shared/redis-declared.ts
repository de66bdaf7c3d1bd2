// Finds a `redis` entry by name, in `connection_pools` or `clusters` (no ioredis: `check` and
// the revoker's dry run use it too).
import type { BuildEnv } from '../../types.js';

type RedisNamespace = { connection_pools?: Record<string, unknown>[]; clusters?: Record<string, unknown>[] } | undefined;

/** The `redis` entry (a connection pool or a cluster) named `name`, if declared. */
export function declaredRedis(env: BuildEnv, name: string): Record<string, unknown> | undefined {
  const ns = env.service.extra.redis as RedisNamespace;
  return (ns?.connection_pools ?? []).find((p) => p.name === name) ?? (ns?.clusters ?? []).find((c) => c.name === name);
}
