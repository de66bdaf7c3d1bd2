// Picks the store of one limiter: Redis (shared by every process using the pool, with a
// node-local fallback), or node-local memory: in-process for a single process, leased from the
// cluster primary in a `--workers N` worker (so the limit holds per node, not per worker).
//
// Accuracy vs cost: the in-process store is exact and synchronous; the cluster and Redis stores
// lease units (lease-limiter.ts), never admitting more than the limit, and admitting slightly
// less only while units sit unspent in another process's lease (at most a fraction of what is
// left, returned within a second).
import cluster from 'node:cluster';
import type { Logger } from '../observability/logger.js';
import { clusterLimiter } from './cluster-lease.js';
import './cluster-coordinator.js';
import type { Limiter } from './limiter.js';
import { MemoryLimiter } from './memory-limiter.js';
import { limitMetrics } from './metrics.js';
import type { Policy } from './policy.js';
import { RedisLimiter, type RedisFailureMode } from './redis-limiter.js';
import type { RedisPool } from './redis-pool.js';

export interface LimiterSpec {
  /** Stable and readable ("GET /foo qos/ratelimit/router client"): metrics, IPC, Redis keys. */
  id: string;
  policy: Policy;
  maxKeys: number;
  sweepMs: number;
  redis?: { pool: RedisPool; prefix: string; onFailure: RedisFailureMode };
}

export function createLimiter(spec: LimiterSpec, log: Logger): Limiter {
  const local = (): Limiter => {
    if (cluster.isWorker) return clusterLimiter(spec.id, spec.policy, spec.maxKeys);
    const evicted = limitMetrics.evictedCell(spec.id);
    let lastLog = 0;
    return new MemoryLimiter(spec.policy, spec.maxKeys, spec.sweepMs, (n) => {
      evicted.n += n;
      const now = Date.now();
      if (now - lastLog < 60_000) return;
      lastLog = now;
      log.warn(
        { limiter: spec.id, max_tracked_clients: spec.maxKeys },
        'rate limiter is tracking its maximum number of clients: evicting the oldest (a flood of distinct client keys?)',
      );
    });
  };
  if (!spec.redis) return local();
  const { pool, prefix, onFailure } = spec.redis;
  return new RedisLimiter(pool, prefix, spec.policy, onFailure === 'local' ? local() : null, onFailure, limitMetrics.fallbackCell(spec.id), log, spec.maxKeys);
}
