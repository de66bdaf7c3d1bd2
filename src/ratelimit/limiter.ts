// The one contract every store implements (memory, cluster lease, Redis). A number, not an
// object, so the per-request path allocates nothing:
//   >= 0  the request is admitted;
//   <  0  it is refused, and -value is the number of milliseconds until a retry can succeed.

export type TakeResult = number;

export interface Limiter {
  /** Takes one unit for `key` ('' for a limit shared by everybody). */
  take(key: string): TakeResult | Promise<TakeResult>;
  /** Stops timers; the limiter must not be used afterwards. */
  close(): void;
}

/** A refusal whose retry time is at least one millisecond (0 would read as "admitted"). */
export function refuse(retryMs: number): TakeResult {
  return -Math.max(1, Math.ceil(retryMs));
}
