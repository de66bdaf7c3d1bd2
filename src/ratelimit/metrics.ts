// Process-local counters of the traffic-control components, kept as plain numbers so the request
// path only increments a field. A later /metrics endpoint (or a test) reads them through
// `limitMetrics.snapshot()`; nothing here formats or exports (prom-client is not a dependency).

export interface LimiterCounters {
  /** Requests refused, by limiter id (e.g. "GET /foo client"). */
  rejected: Record<string, number>;
  /** Entries evicted with state still in them (a key flood hit max_tracked_clients). */
  evicted: Record<string, number>;
  /** Requests decided by the Redis fallback instead of Redis. */
  fallback: Record<string, number>;
  /** Redis pools: 1 up, 0 down. */
  redisUp: Record<string, number>;
}

class LimitMetrics {
  private readonly rejected = new Map<string, { n: number }>();
  private readonly evicted = new Map<string, { n: number }>();
  private readonly fallback = new Map<string, { n: number }>();
  private readonly redis = new Map<string, number>();

  /** A counter cell for one limiter, fetched once at build time. */
  rejectedCell(id: string): { n: number } {
    return cell(this.rejected, id);
  }

  evictedCell(id: string): { n: number } {
    return cell(this.evicted, id);
  }

  fallbackCell(id: string): { n: number } {
    return cell(this.fallback, id);
  }

  redisUp(pool: string, up: boolean): void {
    this.redis.set(pool, up ? 1 : 0);
  }

  snapshot(): LimiterCounters {
    const obj = (m: Map<string, { n: number }>) => Object.fromEntries([...m].map(([k, v]) => [k, v.n]));
    return { rejected: obj(this.rejected), evicted: obj(this.evicted), fallback: obj(this.fallback), redisUp: Object.fromEntries(this.redis) };
  }
}

function cell(m: Map<string, { n: number }>, id: string): { n: number } {
  let c = m.get(id);
  if (!c) m.set(id, (c = { n: 0 }));
  return c;
}

export const limitMetrics = new LimitMetrics();
