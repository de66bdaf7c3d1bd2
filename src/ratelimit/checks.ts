// Runs a fixed list of limiter checks for one request, in order, stopping at the first refusal.
// Synchronous stores (memory, an unexpired cluster lease) never create a promise; only a check
// that really waits (Redis, a lease request) continues asynchronously.
import type { Guard, Rejection, RequestContext } from '../core/request.js';
import type { KeyOf } from './client-key.js';
import type { Limiter } from './limiter.js';
import type { RejectFor } from './rejection.js';

export interface Check {
  limiter: Limiter;
  /** null: one bucket for everybody. */
  keyOf: KeyOf | null;
  reject: RejectFor;
  /** Answer when keyOf finds no identity. */
  missing: Rejection;
  /** Refusal counter (metrics). */
  refused: { n: number };
}

export function compileChecks(checks: readonly Check[]): Guard {
  const n = checks.length;
  const run = (ctx: RequestContext, from: number): Rejection | undefined | Promise<Rejection | undefined> => {
    for (let i = from; i < n; i++) {
      const c = checks[i];
      let key = '';
      if (c.keyOf !== null) {
        const k = c.keyOf(ctx);
        if (k === undefined) {
          c.refused.n++;
          return c.missing;
        }
        key = k;
      }
      const r = c.limiter.take(key);
      if (typeof r === 'number') {
        if (r < 0) {
          c.refused.n++;
          return c.reject(-r);
        }
        continue;
      }
      const next = i + 1;
      return r.then((v) => {
        if (v >= 0) return run(ctx, next);
        c.refused.n++;
        return c.reject(-v);
      });
    }
    return undefined;
  };
  return (ctx) => run(ctx, 0);
}
