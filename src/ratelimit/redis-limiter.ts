// A limit shared by every gateway process using the same Redis. Units are leased from the Redis
// bucket through LeaseLimiter: a roomy bucket hands out up to MAX_REDIS_LEASE units per EVALSHA,
// a nearly empty one one unit per call, so accuracy holds at the edge and a limit far above the
// load costs one round trip per many requests. Each call is atomic in Redis and pipelined with
// the other calls of the same tick. While Redis is unreachable the request is decided by
// `on_redis_failure`: the node-local limiter (default: the same limit enforced per node), admit
// everything, or refuse everything.
import type { Logger } from '../observability/logger.js';
import { LeaseLimiter, type Grant, type LeaseSource } from './lease-limiter.js';
import type { Limiter, TakeResult } from './limiter.js';
import type { Policy } from './policy.js';
import type { RedisPool } from './redis-pool.js';

export type RedisFailureMode = 'local' | 'allow' | 'deny';

/** Most units one Redis call may grant. */
export const MAX_REDIS_LEASE = 64;
/** A call is granted at most 1/REDIS_DIVISOR of what is left: with several gateways sharing the
 * bucket, units sitting in leases stay a small part of it. */
export const REDIS_DIVISOR = 16;

const rateGrant = (g: number): Grant => ({ g, w: 0 });
const ALLOW: TakeResult = 0;
const DENY: TakeResult = -1000;

class RedisSource implements LeaseSource {
  private readonly rethrow: (err: unknown) => never;

  constructor(
    private readonly pool: RedisPool,
    private readonly prefix: string,
    private readonly policy: Policy,
    onError: (err: unknown) => void,
  ) {
    this.rethrow = (err) => {
      onError(err);
      throw err;
    };
  }

  lease(key: string, want: number): Promise<Grant> {
    const p = this.policy;
    const client = this.pool.client;
    if (p.kind === 'rate') {
      return client.rampartGcra(this.prefix + key, p.intervalMs, p.intervalMs * p.burst, want, REDIS_DIVISOR).then(rateGrant, this.rethrow);
    }
    const now = Date.now();
    const w = Math.floor(now / p.periodMs);
    return client.rampartWindow(`${this.prefix}${key}:${w}`, p.max, (w + 1) * p.periodMs - now, want, REDIS_DIVISOR).then((g) => ({ g, w }), this.rethrow);
  }

  giveBack(keys: string[], counts: number[], windows: number[]): void {
    if (!this.pool.up) return;
    const p = this.policy;
    const client = this.pool.client;
    for (let i = 0; i < keys.length; i++) {
      const done =
        p.kind === 'rate'
          ? client.rampartGcraRelease(this.prefix + keys[i], p.intervalMs, counts[i])
          : client.rampartWindowRelease(`${this.prefix}${keys[i]}:${windows[i]}`, counts[i]);
      done.catch(() => undefined);
    }
  }
}

export class RedisLimiter implements Limiter {
  private lastReplyErrorLog = 0;
  private readonly leases: LeaseLimiter;
  private generation: number;

  constructor(
    private readonly pool: RedisPool,
    prefix: string,
    policy: Policy,
    private readonly fallback: Limiter | null,
    private readonly mode: RedisFailureMode,
    private readonly fallbackCount: { n: number },
    private readonly log: Logger,
    maxKeys: number,
  ) {
    this.generation = pool.generation;
    const source = new RedisSource(pool, prefix, policy, (err) => this.failed(err));
    this.leases = new LeaseLimiter(source, policy, maxKeys, MAX_REDIS_LEASE, (key) => this.degraded(key));
  }

  take(key: string): TakeResult | Promise<TakeResult> {
    if (!this.pool.up) return this.degraded(key);
    if (this.generation !== this.pool.generation) {
      // Reconnected: leases and cached refusals from before the outage may not match Redis now.
      this.generation = this.pool.generation;
      this.leases.reset();
    }
    return this.leases.take(key);
  }

  /** A call failed: tell the pool (a connection problem takes it down until 'ready'). */
  private failed(err: unknown): void {
    // ioredis's ReplyError, told by name (it has no subclasses): importing the class would load
    // ioredis with every limiter, memory-only ones included (create-limiter.ts).
    if ((err as Error | undefined)?.name === 'ReplyError') {
      // Redis answered, with an error (OOM, a read-only replica...): not a connection problem.
      const now = Date.now();
      if (now - this.lastReplyErrorLog > 10_000) {
        this.lastReplyErrorLog = now;
        this.log.error({ redis_pool: this.pool.cfg.name, err: (err as Error).message }, 'redis refused a rate-limit command');
      }
    } else {
      this.pool.commandFailed(err);
    }
  }

  private degraded(key: string): TakeResult | Promise<TakeResult> {
    this.fallbackCount.n++;
    if (this.mode === 'allow') return ALLOW;
    if (this.mode === 'deny') return DENY;
    // create-limiter builds the fallback limiter whenever the mode is 'fallback'.
    if (this.fallback === null) throw new Error('invariant: redis limiter in fallback mode without a fallback limiter');
    return this.fallback.take(key);
  }

  close(): void {
    this.leases.close();
    this.fallback?.close();
  }
}
