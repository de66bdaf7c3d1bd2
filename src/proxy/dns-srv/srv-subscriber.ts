// One SRV name's live set of upstream origins (lura's dnssrv subscriber): resolved at start, then
// again every `dns_cache_ttl` in the background, never per request. A failed lookup keeps the last
// good set (as lura does; a DNS hiccup must not take a healthy backend down); an answer with no
// usable record empties it. With no set, calls fail at once with `backend.no_hosts` (503) instead
// of waiting. Each target gets its own connection pool; pools of targets that left the set are
// closed one refresh later, so a call that picked one just before still finds it.
import type { Pool } from 'undici';
import type { Logger } from '../../observability/logger.js';
import type { SrvResolver } from './srv-resolver.js';
import { instancesOf } from './srv-weights.js';

const START_WAIT_MS = 1000;

export interface SrvSubscriberOptions {
  name: string;
  scheme: string;
  refreshMs: number;
  resolver: SrvResolver;
  /** Makes the pool of one resolved origin. */
  makePool(origin: string): Pool;
  log?: Logger;
}

export class SrvSubscriber {
  /** The balanced list (origins repeated by weight); read by pick() on every call. */
  private instances: string[] = [];
  private rr = 0;
  /** Live map of every origin a call may use: compile-backend hands it to callUpstream. */
  readonly pools = new Map<string, Pool>();
  private retiring: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastError = '';
  /** Resolutions done (tests and logs). */
  refreshes = 0;

  constructor(private readonly o: SrvSubscriberOptions) {}

  /** The first resolution, then the timer. Startup waits for it at most START_WAIT_MS (a silent
   * DNS server must not hold every SRV backend's compile for the resolver's full timeouts); a
   * later answer fills the set in the background. */
  async start(): Promise<void> {
    const first = this.refresh().finally(() => this.schedule());
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((r) => (timer = setTimeout(r, START_WAIT_MS)));
    await Promise.race([first, cap]);
    clearTimeout(timer);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), this.o.refreshMs);
    this.timer.unref();
  }

  /** The origin for the next call, round robin over the weighted list; undefined = no host. */
  pick(): string | undefined {
    const list = this.instances;
    if (list.length === 0) return undefined;
    if (list.length === 1) return list[0];
    this.rr = (this.rr + 1) % list.length;
    return list[this.rr];
  }

  /** The current distinct origins (for logs and tests). */
  origins(): string[] {
    return [...new Set(this.instances)];
  }

  async refresh(): Promise<void> {
    let next: string[];
    try {
      next = instancesOf(await this.o.resolver.resolveSrv(this.o.name), this.o.scheme);
    } catch (err) {
      const msg = (err as { code?: string }).code ?? (err as Error).message;
      if (msg !== this.lastError) {
        this.o.log?.warn({ srv: this.o.name, err: msg, kept: this.origins().length }, 'sd dns: SRV lookup failed; keeping the last resolved hosts');
      }
      this.lastError = msg;
      return;
    }
    if (this.closed) return;
    this.refreshes++;
    this.lastError = '';
    const wanted = new Set(next);
    // Close what left the set at the previous refresh and has not come back.
    for (const origin of this.retiring) {
      if (wanted.has(origin)) continue;
      const pool = this.pools.get(origin);
      this.pools.delete(origin);
      void pool?.close().catch(() => undefined);
    }
    this.retiring = [...this.pools.keys()].filter((o) => !wanted.has(o));
    for (const origin of wanted) if (!this.pools.has(origin)) this.pools.set(origin, this.o.makePool(origin));
    const before = this.origins().join(' ');
    this.instances = next;
    this.rr = Math.floor(Math.random() * Math.max(1, next.length));
    const after = this.origins().join(' ');
    if (before !== after) {
      if (next.length === 0) this.o.log?.warn({ srv: this.o.name }, 'sd dns: the SRV answer has no usable record; calls fail with 503 until it has');
      else this.o.log?.info({ srv: this.o.name, hosts: after }, 'sd dns: hosts resolved');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}
