// In-process buckets: one Map<string, number> per limiter. For a rate the number is the GCRA
// theoretical arrival time (an entry whose time has passed is a full bucket and is deleted, so
// idle clients cost nothing); for a quota it is the count in the current window (the map is
// cleared when the window changes). The map is bounded by `maxKeys`: a flood of distinct client
// keys (header strategy, IPv6 addresses) cannot grow memory without limit. When full, expired
// entries go first, then the oldest-inserted 10% (forgiving their debt: an attacker able to mint
// that many keys gets a fresh bucket per key anyway).
import { refuse, type Limiter, type TakeResult } from './limiter.js';
import type { Policy } from './policy.js';

/** Floating-point slack so that 2.9999999 tokens count as 3. */
const EPS = 1e-9;

export class MemoryLimiter implements Limiter {
  private readonly map = new Map<string, number>();
  private window = -1;
  private readonly timer: NodeJS.Timeout | undefined;
  /** Entries evicted while still holding state (a sign of a key flood), for metrics/logs. */
  evicted = 0;

  constructor(
    readonly policy: Policy,
    private readonly maxKeys: number,
    sweepMs = 60_000,
    private readonly onEvict?: (count: number) => void,
  ) {
    if (policy.kind === 'rate') {
      this.timer = setInterval(() => this.sweep(Date.now()), Math.max(1000, sweepMs));
      this.timer.unref();
    }
  }

  get size(): number {
    return this.map.size;
  }

  take(key: string): TakeResult {
    const g = this.acquire(key, 1, Date.now());
    return g > 0 ? 0 : g;
  }

  /**
   * Takes up to `want` units; returns how many were granted (>= 1) or a refusal (< 0). With a
   * `divisor` > 1 at most 1/divisor of what is available is granted (cluster leases: several
   * workers share what is left, so none can strand a large part of it).
   */
  acquire(key: string, want: number, now: number, divisor = 1): number {
    const p = this.policy;
    if (p.kind === 'rate') {
      const prev = this.map.get(key);
      const tat = prev === undefined || prev < now ? now : prev;
      const room = p.burst * p.intervalMs - (tat - now);
      let g = Math.floor(room / p.intervalMs + EPS);
      if (g < 1) return refuse(p.intervalMs - room);
      if (divisor > 1) g = Math.max(1, Math.floor(g / divisor));
      if (g > want) g = want;
      this.put(key, tat + g * p.intervalMs, prev !== undefined, now);
      return g;
    }
    const w = Math.floor(now / p.periodMs);
    if (w !== this.window) {
      this.window = w;
      this.map.clear();
    }
    const used = this.map.get(key) ?? 0;
    let g = p.max - used;
    if (g < 1) return refuse((w + 1) * p.periodMs - now);
    if (divisor > 1) g = Math.max(1, Math.floor(g / divisor));
    if (g > want) g = want;
    this.put(key, used + g, used !== 0, now);
    return g;
  }

  /** Gives back units taken earlier but not used (cluster leases that expired). */
  release(key: string, n: number, window: number, now: number): void {
    const p = this.policy;
    const v = this.map.get(key);
    if (v === undefined || n <= 0) return;
    if (p.kind === 'rate') {
      const tat = v - n * p.intervalMs;
      if (tat <= now) this.map.delete(key);
      else this.map.set(key, tat);
      return;
    }
    if (window !== this.window) return;
    this.map.set(key, Math.max(0, v - n));
  }

  /** The current quota window index (for leases of window policies). */
  windowOf(now: number): number {
    return this.policy.kind === 'window' ? Math.floor(now / this.policy.periodMs) : 0;
  }

  private put(key: string, v: number, existed: boolean, now: number): void {
    if (!existed && this.map.size >= this.maxKeys) this.makeRoom(now);
    this.map.set(key, v);
  }

  /** Deletes rate entries whose bucket is full again (tat in the past). */
  sweep(now: number): number {
    if (this.policy.kind !== 'rate') return 0;
    let n = 0;
    for (const [k, tat] of this.map) {
      if (tat <= now) {
        this.map.delete(k);
        n++;
      }
    }
    return n;
  }

  private makeRoom(now: number): void {
    const target = Math.floor(this.maxKeys * 0.9);
    // Amortised O(1): one full pass frees at least 10% of the map, so the next pass is at
    // least maxKeys/10 insertions away.
    if (this.sweep(now) > 0 && this.map.size <= target) return;
    let drop = this.map.size - target;
    let n = 0;
    for (const k of this.map.keys()) {
      if (drop-- <= 0) break;
      this.map.delete(k);
      n++;
    }
    this.evicted += n;
    this.onEvict?.(n);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.map.clear();
  }
}
