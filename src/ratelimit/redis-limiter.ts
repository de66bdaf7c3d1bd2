// A limit shared by every gateway process using the same Redis: one EVALSHA per request
// (pipelined with the other requests of the same tick), atomic in Redis. When Redis is
// unreachable the request is decided by `on_redis_failure`: the node-local limiter (default;
// the same limit enforced per node), admit everything, or refuse everything.
import { ReplyError } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { type Limiter, type TakeResult } from './limiter.js';
import type { Policy } from './policy.js';
import type { RedisPool } from './redis-pool.js';

export type RedisFailureMode = 'local' | 'allow' | 'deny';

const ALLOW: TakeResult = 0;
const DENY: TakeResult = -1000;

export class RedisLimiter implements Limiter {
  private lastReplyErrorLog = 0;

  constructor(
    private readonly pool: RedisPool,
    private readonly prefix: string,
    private readonly policy: Policy,
    private readonly fallback: Limiter | null,
    private readonly mode: RedisFailureMode,
    private readonly fallbackCount: { n: number },
    private readonly log: Logger,
  ) {}

  take(key: string): TakeResult | Promise<TakeResult> {
    if (!this.pool.up) return this.degraded(key);
    const p = this.policy;
    const client = this.pool.client;
    const onError = (err: unknown) => this.failed(err, key);
    if (p.kind === 'rate') return client.rampartGcra(this.prefix + key, p.intervalMs, p.intervalMs * p.burst).then(undefined, onError);
    const now = Date.now();
    const w = Math.floor(now / p.periodMs);
    return client.rampartWindow(`${this.prefix}${key}:${w}`, p.max, (w + 1) * p.periodMs - now).then(undefined, onError);
  }

  private failed(err: unknown, key: string): TakeResult | Promise<TakeResult> {
    if (err instanceof ReplyError) {
      // Redis answered, with an error (OOM, a read-only replica...): not a connection problem.
      const now = Date.now();
      if (now - this.lastReplyErrorLog > 10_000) {
        this.lastReplyErrorLog = now;
        this.log.error({ redis_pool: this.pool.cfg.name, err: (err as Error).message }, 'redis refused a rate-limit command');
      }
    } else {
      this.pool.commandFailed(err);
    }
    return this.degraded(key);
  }

  private degraded(key: string): TakeResult | Promise<TakeResult> {
    this.fallbackCount.n++;
    if (this.mode === 'allow') return ALLOW;
    if (this.mode === 'deny') return DENY;
    return this.fallback!.take(key);
  }

  close(): void {
    this.fallback?.close();
  }
}
