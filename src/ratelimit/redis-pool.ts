// One ioredis client per named pool (service `redis` namespace, KrakenD EE's shape) per process,
// shared by every limit that names it. Tuned for a limiter: commands are never queued while
// disconnected (enableOfflineQueue: false), so a Redis outage turns into an immediate local
// fallback instead of piling requests up; commands issued in the same tick go out as one
// pipeline (enableAutoPipelining); a socket that stops answering is dropped after `read_timeout`
// (one timer per pending read, not per command) and reconnection retries forever, so shared
// limits come back on their own. Transitions are logged loudly; the password never is.
import { createRedisClient, type RedisClient } from './redis-client.js';
import { parseDuration } from '../config/duration.js';
import type { Logger } from '../observability/logger.js';
import { GCRA_LUA, GCRA_RELEASE_LUA, WINDOW_LUA, WINDOW_RELEASE_LUA } from './redis-scripts.js';
import { limitMetrics } from './metrics.js';
import { parseAddress } from './redis-address.js';

export interface RedisPoolConfig {
  name: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  clientName?: string;
  dialTimeoutMs: number;
  readTimeoutMs: number;
  /** Set for a `clusters` entry: the seed nodes (then host/port are the first of them). */
  nodes?: { host: string; port: number }[];
  /** Cluster: redirections followed per command (KrakenD's max_redirects, 3). */
  maxRedirects: number;
}

type RawPool = Record<string, unknown>;

export function poolConfig(raw: RawPool): RedisPoolConfig {
  const cluster = Array.isArray(raw.addresses);
  const nodes = cluster ? (raw.addresses as unknown[]).map((a) => parseAddress(String(a))) : [];
  const addr = cluster ? nodes[0] : parseAddress(String(raw.address));
  if (!addr || nodes.some((n) => n === undefined)) throw new Error(`redis pool "${String(raw.name)}": address must be host:port`);
  const dur = (v: unknown, d: number) => (typeof v === 'string' ? (parseDuration(v) ?? d) : d);
  return {
    name: String(raw.name),
    ...addr,
    ...(cluster ? { nodes: nodes as { host: string; port: number }[] } : {}),
    maxRedirects: typeof raw.max_redirects === 'number' ? raw.max_redirects : 3,
    db: typeof raw.db === 'number' ? raw.db : 0,
    username: (raw.username ?? raw.user_name) as string | undefined,
    password: raw.password as string | undefined,
    clientName: raw.client_name as string | undefined,
    dialTimeoutMs: dur(raw.dial_timeout, 1000) || 1000,
    readTimeoutMs: dur(raw.read_timeout, 1000) || 1000,
  };
}

export type LimitRedis = RedisClient & {
  rampartGcra(key: string, intervalMs: number, toleranceMs: number, want: number, divisor: number): Promise<number>;
  rampartGcraRelease(key: string, intervalMs: number, n: number): Promise<number>;
  rampartWindow(key: string, max: number, ttlMs: number, want: number, divisor: number): Promise<number>;
  rampartWindowRelease(key: string, n: number): Promise<number>;
};

export class RedisPool {
  readonly client: LimitRedis;
  /** True while the connection is ready; read on every request (a field, not a call). */
  up = false;
  /** Incremented on every (re)connection, so limiters can drop state from before an outage. */
  generation = 0;
  private everUp = false;
  private downSince = 0;
  private reminder: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly cfg: RedisPoolConfig,
    private readonly log: Logger,
  ) {
    const client = createRedisClient(cfg);
    client.defineCommand('rampartGcra', { numberOfKeys: 1, lua: GCRA_LUA });
    client.defineCommand('rampartGcraRelease', { numberOfKeys: 1, lua: GCRA_RELEASE_LUA });
    client.defineCommand('rampartWindow', { numberOfKeys: 1, lua: WINDOW_LUA });
    client.defineCommand('rampartWindowRelease', { numberOfKeys: 1, lua: WINDOW_RELEASE_LUA });
    this.client = client as LimitRedis;
    client.on('ready', () => this.onUp());
    client.on('close', () => this.onDown('connection closed'));
    client.on('error', (err: Error) => this.onDown(err.message));
  }

  /** Connects; resolves when ready or after the dial timeout (then limits start degraded). */
  async start(): Promise<void> {
    const connected = this.client.connect().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), this.cfg.dialTimeoutMs + 200).unref());
    if (!(await Promise.race([connected, timeout]))) this.onDown('not reachable at startup');
  }

  private onUp(): void {
    if (this.up) return;
    this.up = true;
    this.generation++;
    limitMetrics.redisUp(this.cfg.name, true);
    if (this.reminder) clearInterval(this.reminder);
    this.reminder = undefined;
    if (this.everUp || this.downSince) {
      this.log.warn(
        { redis_pool: this.cfg.name, down_ms: this.downSince ? Date.now() - this.downSince : 0 },
        'redis connection restored: rate limits are shared across the cluster again',
      );
    } else {
      this.log.info({ redis_pool: this.cfg.name }, 'redis connected: rate limits are shared across the cluster');
    }
    this.everUp = true;
    this.downSince = 0;
  }

  private onDown(reason: string): void {
    if (this.closed) return;
    const wasUp = this.up;
    this.up = false;
    if (this.downSince !== 0 && !wasUp) return;
    this.downSince = Date.now();
    limitMetrics.redisUp(this.cfg.name, false);
    // Loud on purpose: limits now hold per node only (or fail open/closed as configured).
    this.log.error(
      { redis_pool: this.cfg.name, reason },
      'redis unreachable: rate limits fall back to their on_redis_failure behaviour (default: local limits per node)',
    );
    this.reminder ??= setInterval(() => {
      this.log.error({ redis_pool: this.cfg.name, down_ms: Date.now() - this.downSince }, 'redis still unreachable: rate limits are not shared');
    }, 30_000).unref();
  }

  /** A command failed while the pool looked up (timeout, reset): stop using it until 'ready'. */
  commandFailed(err: unknown): void {
    if (!this.up) return;
    this.onDown((err as Error)?.message ?? 'command failed');
    // The socket may be half-dead; reconnecting brings 'ready' back when Redis answers again.
    this.client.disconnect(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reminder) clearInterval(this.reminder);
    this.up = false;
    try {
      await Promise.race([this.client.quit(), new Promise((r) => setTimeout(r, 500).unref())]);
    } catch {
      /* already gone */
    }
    this.client.disconnect();
  }
}
