// One undici connection pool per upstream origin, created at startup and shared by every
// backend that names the origin. Keep-alive is on: the pool is the gateway's main speed lever.
import type { Pool as PoolType } from 'undici';
import UndiciPool from 'undici/lib/dispatcher/pool.js';
import type { ConnectionOptions } from 'node:tls';
import type { UpstreamClientOptions } from '../config/types.js';
import { upstreamConnectOptions } from '../tls/upstream-context.js';
import type { Logger } from '../observability/logger.js';
import { createSrvResolver, type ConnectLookup, type SrvResolver } from './dns-srv/srv-resolver.js';
import { SrvSubscriber } from './dns-srv/srv-subscriber.js';
import { timedConnector } from './connection-timing.js';

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
  /** sd "dns": one subscriber per SRV name and scheme, shared by every backend naming it. */
  private readonly srv = new Map<string, SrvSubscriber>();
  private resolver: SrvResolver | undefined;
  constructor(
    private readonly opts: UpstreamClientOptions,
    /** timeConnections: telemetry's detailed_connection wants DNS and TLS times (connection-timing.ts). */
    private readonly run: { dryRun?: boolean; log?: Logger; timeConnections?: boolean } = {},
  ) {
    this.tls = upstreamConnectOptions(opts.tls, opts.allowInsecure);
  }

  private makePool(origin: string, lookup?: ConnectLookup): Pool {
    const o = this.opts;
    const connect = lookup ? { ...this.tls, timeout: o.connectTimeoutMs, lookup } : { ...this.tls, timeout: o.connectTimeoutMs };
    return new Pool(origin, {
      connections: o.maxConnectionsPerHost,
      pipelining: 1,
      keepAliveTimeout: o.disableKeepAlives ? 1 : o.keepAliveTimeoutMs,
      keepAliveMaxTimeout: Math.max(o.keepAliveTimeoutMs, 600_000),
      // The endpoint timeout (an AbortSignal) bounds every call; these only stop undici's own
      // 300 s defaults from outliving it.
      headersTimeout: o.responseHeaderTimeoutMs || 0,
      bodyTimeout: 0,
      connect: this.run.timeConnections ? timedConnector(connect) : connect,
    });
  }

  /** Called at compile time for every declared host; returns the shared pool. */
  forOrigin(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = this.makePool(origin);
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** The live host set of an SRV name (resolved before this returns, except in a dry run). */
  async forSrv(name: string, scheme: string): Promise<SrvSubscriber> {
    const key = `${scheme} ${name}`;
    let sub = this.srv.get(key);
    if (!sub) {
      this.resolver ??= createSrvResolver(this.opts.dnsServers);
      const lookup = this.resolver.lookup;
      sub = new SrvSubscriber({
        name,
        scheme,
        refreshMs: this.opts.dnsCacheTtlMs,
        resolver: this.resolver,
        makePool: (origin) => this.makePool(origin, lookup),
        log: this.run.log,
      });
      this.srv.set(key, sub);
      if (!this.run.dryRun) await sub.start();
    }
    return sub;
  }

  has(origin: string): boolean {
    return this.pools.has(origin);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pools.values()].map((p) => p.close()).concat([...this.srv.values()].map((s) => s.close())));
  }
}
