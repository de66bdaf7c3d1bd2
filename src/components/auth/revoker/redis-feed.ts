// Revocations shared by every gateway node through Redis (a Rampart addition; KrakenD CE keeps
// one unsynchronised filter per node, docs/reference/auth-and-tls.md §3.2): each revocation is stored in a sorted set
// (score = time) and published on a channel. Every node subscribes, and loads the recent entries
// (the last 3·TTL, the longest an entry stays in a filter) when it starts and whenever its
// connection comes back, so a node that missed messages catches up.
import { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../../observability/logger.js';
import type { RedisPoolConfig } from '../../../ratelimit/redis-pool.js';

export interface RedisFeedOptions {
  /** A Redis URL, or a `redis` pool/cluster of the service (its settings, parsed). */
  url?: string;
  pool?: RedisPoolConfig;
  prefix: string;
  windowMs: number;
  connectTimeoutMs: number;
  onEntry(entry: string): void;
  log: Logger;
}

export interface RedisFeed {
  publish(entry: string): Promise<void>;
  close(): Promise<void>;
}

/** host:port only: a Redis URL may carry a password. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'redis';
  }
}

interface ClientOptions {
  lazyConnect: true;
  connectTimeout: number;
  maxRetriesPerRequest: number;
  enableOfflineQueue: boolean;
  retryStrategy: (times: number) => number;
}

/** A plain client from a URL or a pool; for a cluster, ioredis' Cluster (the zset is one key, so
 * its MULTI runs on one slot's master; PUBLISH reaches every node's subscribers). */
function client(o: RedisFeedOptions, opts: ClientOptions): Redis | Cluster {
  if (o.url !== undefined) return new Redis(o.url, opts);
  const c = o.pool;
  if (!c) throw new Error('invariant: a redis feed without url or pool');
  const auth = { username: c.username, password: c.password, connectionName: c.clientName };
  if (!c.nodes) return new Redis({ host: c.host, port: c.port, db: c.db, ...auth, ...opts });
  return new Cluster(c.nodes, {
    lazyConnect: true,
    enableOfflineQueue: opts.enableOfflineQueue,
    clusterRetryStrategy: opts.retryStrategy,
    maxRedirections: Math.max(c.maxRedirects, 16),
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    redisOptions: { ...auth, connectTimeout: opts.connectTimeout, maxRetriesPerRequest: opts.maxRetriesPerRequest },
  });
}

export async function connectRedisFeed(o: RedisFeedOptions): Promise<RedisFeed> {
  const zset = `${o.prefix}:entries`;
  const channel = `${o.prefix}:events`;
  const label =
    o.url !== undefined ? redisLabel(o.url) : `${o.pool?.name ?? 'redis'} (${o.pool?.host ?? ''}:${o.pool?.port ?? ''}${o.pool?.nodes ? ', cluster' : ''})`;
  const opts: ClientOptions = {
    lazyConnect: true,
    connectTimeout: o.connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
  const cmd = client(o, opts);
  const sub = client(o, { ...opts, enableOfflineQueue: true });
  let reported = false;
  const onError = (err: Error) => {
    if (!reported) o.log.warn({ redis: label, err: err.message }, 'auth/revoker: redis connection problem');
    reported = true;
  };
  cmd.on('error', onError);
  sub.on('error', onError);

  const loadSnapshot = async () => {
    const entries = await cmd.zrangebyscore(zset, Date.now() - o.windowMs, '+inf');
    for (const e of entries) o.onEntry(e);
    return entries.length;
  };

  try {
    await Promise.all([cmd.connect(), sub.connect()]);
    sub.on('message', (ch: string, entry: string) => {
      if (ch === channel) o.onEntry(entry);
    });
    await sub.subscribe(channel);
    const n = await loadSnapshot();
    o.log.info({ redis: label, entries: n }, 'auth/revoker: revocation list loaded from redis');
  } catch (err) {
    cmd.disconnect();
    sub.disconnect();
    throw new Error(`auth/revoker: cannot load the revocation list from redis at ${label} (${(err as Error).message})`);
  }
  // After a reconnection, pick up whatever was published while this node was away.
  // Both connections may come back in either order; reloading is idempotent.
  const reload = () => {
    reported = false;
    loadSnapshot().then(
      (n) => o.log.info({ redis: label, entries: n }, 'auth/revoker: revocation list reloaded after reconnect'),
      (err) => o.log.warn({ redis: label, err: (err as Error).message }, 'auth/revoker: reload after reconnect failed'),
    );
  };
  sub.on('ready', reload);
  cmd.on('ready', reload);

  return {
    async publish(entry) {
      const now = Date.now();
      const results = await cmd
        .multi()
        .zadd(zset, now, entry)
        .zremrangebyscore(zset, '-inf', now - o.windowMs)
        .publish(channel, entry)
        .exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
    },
    async close() {
      cmd.disconnect();
      sub.disconnect();
    },
  };
}
