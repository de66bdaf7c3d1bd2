// A call tap: something that watches a backend call without changing its result (telemetry:
// the telemetry/metrics meters, the OpenTelemetry proxy and backend layers). Unlike an `around`
// wrapper, a tap keeps the direct path (compile-endpoint.ts): run-endpoint's forwardDirect calls
// `start` before the upstream exchange and `end` from undici's callback, so telemetry no longer
// costs the promise hops of the general path. On the general path a tap is an around wrapper.
import type { BackendHandler, BackendResult, CallInput } from '../core/backend-result.js';

export interface CallTap<S = unknown> {
  /** Before the call. A tap that `writesInput` may set fields of `input` (traceHeaders); on the
   * general path it is handed its own copy, on the direct path (one backend) the request's. */
  start(input: CallInput): S;
  /** After the call, with what `start` returned. Must not throw. */
  end(state: S, input: CallInput, r: BackendResult): void;
  readonly writesInput?: boolean;
}

/** The tap as an around wrapper (general path). */
export function tapAround<S>(tap: CallTap<S>): (next: BackendHandler) => BackendHandler {
  if (tap.writesInput)
    return (next) => async (input) => {
      const own = { ...input };
      const s = tap.start(own);
      const r = await next(own);
      tap.end(s, own, r);
      return r;
    };
  return (next) => async (input) => {
    const s = tap.start(input);
    const r = await next(input);
    tap.end(s, input, r);
    return r;
  };
}
