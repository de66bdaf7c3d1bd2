// Spending units leased from a shared bucket that lives elsewhere (the cluster primary over IPC,
// or Redis). Units are taken from the shared bucket a few at a time and spent locally, so the
// common case is synchronous and costs no round trip; more are asked for ahead of time when the
// bucket is roomy. The source grants at most a fraction of what is left (and at least 1), so
// units leased but not yet spent stay a small part of the bucket, and they go back to the source
// after LEASE_TTL_MS: a process that stops receiving traffic does not strand them. Units only
// ever come out of the shared bucket, so together the processes never admit more than the limit.
// Refusals are cached until the retry time the source gave: an over-limit flood costs one round
// trip per key per retry period.
import { refuse, type Limiter, type TakeResult } from './limiter.js';
import type { Policy } from './policy.js';

/** How long a process may sit on leased units before it must give them back. */
export const LEASE_TTL_MS = 1000;

export interface Grant {
  /** >= 1 units granted; < 0 refused, -g ms until a retry can succeed. */
  g: number;
  /** Quota window index the units belong to (0 for rates). */
  w: number;
}

export interface LeaseSource {
  /** Rejects when the source cannot be reached. */
  lease(key: string, want: number): Promise<Grant>;
  giveBack(keys: string[], counts: number[], windows: number[]): void;
}

interface Lease {
  tokens: number;
  expires: number;
  deniedUntil: number;
  window: number;
  lastGrant: number;
  /** Resolves true when a grant arrived, false when the source failed. */
  pending: Promise<boolean> | null;
}

export class LeaseLimiter implements Limiter {
  private readonly leases = new Map<string, Lease>();
  private readonly timer: NodeJS.Timeout;
  private readonly ttl: number;

  constructor(
    private readonly source: LeaseSource,
    private readonly policy: Policy,
    private readonly maxKeys: number,
    private readonly maxLease: number,
    /** Decides a request whose lease could not be obtained (source down). */
    private readonly onSourceError: (key: string) => TakeResult | Promise<TakeResult>,
  ) {
    this.ttl = policy.kind === 'rate' ? Math.min(LEASE_TTL_MS, policy.intervalMs * policy.burst) : LEASE_TTL_MS;
    this.timer = setInterval(() => this.sweep(Date.now()), 250);
    this.timer.unref();
  }

  take(key: string): TakeResult | Promise<TakeResult> {
    const now = Date.now();
    let e = this.leases.get(key);
    if (e === undefined) {
      if (this.leases.size >= this.maxKeys) this.makeRoom(now);
      e = { tokens: 0, expires: 0, deniedUntil: 0, window: 0, lastGrant: 0, pending: null };
      this.leases.set(key, e);
    } else {
      if (e.tokens > 0) {
        if (now < e.expires) {
          e.tokens--;
          // Refill ahead only for roomy buckets: for small ones a prefetched unit would sit idle.
          if (e.pending === null && e.lastGrant >= 4 && e.tokens <= e.lastGrant >> 2) this.request(key, e);
          return 0;
        }
        this.giveBack([key], [e]);
      }
      if (now < e.deniedUntil) return refuse(e.deniedUntil - now);
    }
    const pending = e.pending ?? this.request(key, e);
    return pending.then((ok) => (ok ? this.take(key) : this.onSourceError(key)));
  }

  /** Asks the source for units; returns the pending lease (also kept on `e`). */
  private request(key: string, e: Lease): Promise<boolean> {
    return (e.pending = this.source.lease(key, this.maxLease).then(
      (m) => {
        e.pending = null;
        const t = Date.now();
        if (m.g > 0) {
          e.tokens += m.g;
          e.lastGrant = m.g;
          e.window = m.w;
          e.expires = this.policy.kind === 'window' ? Math.min(t + this.ttl, (m.w + 1) * this.policy.periodMs) : t + this.ttl;
          e.deniedUntil = 0;
        } else {
          e.lastGrant = 0;
          e.deniedUntil = t - m.g;
        }
        return true;
      },
      () => {
        e.pending = null;
        return false;
      },
    ));
  }

  private giveBack(keys: string[], entries: Lease[]): void {
    const k: string[] = [];
    const n: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const e = entries[i];
      if (e.tokens <= 0) continue;
      k.push(keys[i]);
      n.push(e.tokens);
      w.push(e.window);
      e.tokens = 0;
    }
    if (k.length > 0) this.source.giveBack(k, n, w);
  }

  private sweep(now: number): void {
    const keys: string[] = [];
    const entries: Lease[] = [];
    for (const [k, e] of this.leases) {
      if (e.pending !== null) continue;
      if (e.tokens > 0 && now >= e.expires) {
        keys.push(k);
        entries.push(e);
      }
      if ((e.tokens === 0 || now >= e.expires) && now >= e.deniedUntil) this.leases.delete(k);
    }
    this.giveBack(keys, entries);
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    let drop = this.leases.size - Math.floor(this.maxKeys * 0.9);
    if (drop <= 0) return;
    const keys: string[] = [];
    const entries: Lease[] = [];
    for (const [k, e] of this.leases) {
      if (drop-- <= 0) break;
      if (e.pending !== null) continue;
      keys.push(k);
      entries.push(e);
      this.leases.delete(k);
    }
    this.giveBack(keys, entries);
  }

  /** Forgets every lease and cached refusal without giving units back (the source was reset,
   * e.g. Redis came back after an outage and its state may be gone). */
  reset(): void {
    this.leases.clear();
  }

  close(): void {
    clearInterval(this.timer);
    const keys = [...this.leases.keys()];
    this.giveBack(keys, [...this.leases.values()]); // same order as keys()
    this.leases.clear();
  }
}
