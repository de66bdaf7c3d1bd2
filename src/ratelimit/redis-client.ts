// The ioredis client of a named pool: a single Redis (`connection_pools`) or a Redis Cluster
// (`clusters`, ioredis' Cluster: slots learnt from the seed addresses, MOVED/ASK followed,
// the slot map refreshed when a node goes and a replica takes over). Either way commands are
// never queued while disconnected (the limiter falls back at once instead of piling requests
// up), go out auto-pipelined, and a socket that stops answering is dropped after read_timeout.
// Every script touches one key, so each runs on the master of that key's slot.
import { Cluster, Redis } from 'ioredis';
import type { RedisPoolConfig } from './redis-pool.js';

export type RedisClient = Redis | Cluster;

export function createRedisClient(cfg: RedisPoolConfig): RedisClient {
  const common = {
    username: cfg.username,
    password: cfg.password,
    connectionName: cfg.clientName,
    connectTimeout: cfg.dialTimeoutMs,
    socketTimeout: cfg.readTimeoutMs,
  };
  if (cfg.nodes) {
    return new Cluster(cfg.nodes, {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      // Failover: a few redirections (MOVED/ASK/TRYAGAIN/CLUSTERDOWN) are followed, each after a
      // short wait, then the call fails and the limiter decides locally.
      maxRedirections: cfg.maxRedirects,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: cfg.dialTimeoutMs,
      clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
      redisOptions: { ...common, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false },
    });
  }
  return new Redis({
    host: cfg.host,
    port: cfg.port,
    db: cfg.db,
    ...common,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
}
