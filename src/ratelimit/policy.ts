// What a limiter enforces, computed once from config. Two kinds:
// - `rate`: a token bucket expressed as GCRA (one number of state per key: the theoretical
//   arrival time). `intervalMs` = time to earn one token, `burst` = bucket capacity.
// - `window`: a quota, a counter per fixed window aligned to the Unix epoch (a "24h" quota resets
//   at 00:00 UTC), `max` units per `periodMs`.

export interface RatePolicy {
  readonly kind: 'rate';
  readonly intervalMs: number;
  readonly burst: number;
}

export interface WindowPolicy {
  readonly kind: 'window';
  readonly periodMs: number;
  readonly max: number;
}

export type Policy = RatePolicy | WindowPolicy;

/** `max` tokens per `everyMs`, bucket of `capacity`. */
export function ratePolicy(max: number, everyMs: number, capacity: number): RatePolicy {
  if (!(max > 0) || !(everyMs > 0)) throw new Error('a rate needs a positive max and period');
  if (!(capacity >= 1)) throw new Error('capacity must be at least 1');
  return Object.freeze({ kind: 'rate', intervalMs: everyMs / max, burst: Math.floor(capacity) });
}

export function windowPolicy(max: number, periodMs: number): WindowPolicy {
  if (!(max >= 1) || !(periodMs >= 1)) throw new Error('a quota needs a positive max and period');
  return Object.freeze({ kind: 'window', periodMs, max: Math.floor(max) });
}

/** KrakenD's default capacity: the rate per second, at least 1 (krakend-ratelimit). */
export function defaultCapacity(max: number, everyMs: number): number {
  return Math.max(1, Math.floor((max * 1000) / everyMs));
}

/** Size of the bucket in items and its refill time in whole seconds, for RateLimit-Policy. */
export function policyQuota(p: Policy): { q: number; w: number } {
  if (p.kind === 'rate') return { q: p.burst, w: Math.max(1, Math.ceil((p.burst * p.intervalMs) / 1000)) };
  return { q: p.max, w: Math.max(1, Math.ceil(p.periodMs / 1000)) };
}
