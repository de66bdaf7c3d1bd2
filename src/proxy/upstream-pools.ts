// One undici connection pool per upstream origin, created at startup and shared by every
// backend that names the origin. Keep-alive is on: the pool is the gateway's main speed lever.
import type { Pool as PoolType } from 'undici';
import UndiciPool from 'undici/lib/dispatcher/pool.js';
import type { ConnectionOptions } from 'node:tls';
import type { UpstreamClientOptions } from '../config/types.js';
import { upstreamConnectOptions } from '../tls/upstream-context.js';

// Only undici's Pool, not its index: the index loads ~110 files (every dispatcher, fetch, the
// cache and mock layers) and cost ~90 ms of every start; the pool is 23 files. undici 7 has no
// "exports" map, so the file is reachable; the version is pinned in package-lock.json and
// test/unit/undici-pool.test.ts fails if the path or the class it exports changes.
export const Pool = UndiciPool;
export type Pool = PoolType;

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  /** TLS for https:// origins (client_tls): trust, client certificates, versions; read once. */
  private readonly tls: ConnectionOptions;
  constructor(private readonly opts: UpstreamClientOptions) {
    this.tls = upstreamConnectOptions(opts.tls, opts.allowInsecure);
  }

  /** Called at compile time for every declared host; returns the shared pool. */
  forOrigin(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      const o = this.opts;
      pool = new Pool(origin, {
        connections: o.maxConnectionsPerHost,
        pipelining: 1,
        keepAliveTimeout: o.disableKeepAlives ? 1 : o.keepAliveTimeoutMs,
        keepAliveMaxTimeout: Math.max(o.keepAliveTimeoutMs, 600_000),
        // The endpoint timeout (an AbortSignal) bounds every call; these only stop undici's own
        // 300 s defaults from outliving it.
        headersTimeout: o.responseHeaderTimeoutMs || 0,
        bodyTimeout: 0,
        connect: { ...this.tls, timeout: o.connectTimeoutMs },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  has(origin: string): boolean {
    return this.pools.has(origin);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((p) => p.close()));
  }
}
