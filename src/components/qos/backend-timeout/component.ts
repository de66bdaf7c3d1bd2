// `qos/backend-timeout` (backend, Rampart namespace; KrakenD has only the endpoint `timeout`):
// the most time one backend call may take (until its response headers for no-op backends, its
// whole body otherwise). A call over it is aborted and fails with 504 Gateway Timeout; in a
// multi-backend endpoint the others still answer (partial response). It sits inside the circuit
// breaker, so timeouts count as breaker failures (as in KrakenD, lura#381). The runtime;
// schema.ts loads it on first use.
import { parseDuration } from '../../../config/duration.js';
import { GatewayError } from '../../../core/gateway-error.js';
import { errorResult, type BackendHandler, type BackendResult } from '../../../core/backend-result.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import { discardBody } from '../../../proxy/read-body.js';
import { CallSignal } from '../../../core/call-signal.js';

const TIMED_OUT = new GatewayError('backend.timeout', 'backend timeout');

export function build(cfg: { timeout: string }, env: BuildEnv): Stage {
  const ms = parseDuration(cfg.timeout);
  if (!ms || ms <= 0) throw new Error(`timeout must be above 0, got "${cfg.timeout}"`);
  const { endpoint } = backendEnv(env);
  if (ms >= endpoint.timeoutMs) {
    env.log.warn({ at: env.pointer }, `backend timeout ${cfg.timeout} is not shorter than the endpoint timeout (${endpoint.timeoutMs} ms): it never fires`);
  }
  return {
    around:
      (next: BackendHandler): BackendHandler =>
      (input) => {
        const parent = input.signal;
        if (parent.aborted) return next(input);
        const ctl = new CallSignal();
        let fired = false;
        const onParent = () => ctl.abort(parent.reason);
        parent.addEventListener('abort', onParent, { once: true });
        const timer = setTimeout(() => {
          fired = true;
          ctl.abort(TIMED_OUT);
        }, ms);
        const done = () => {
          clearTimeout(timer);
          parent.removeEventListener('abort', onParent);
        };
        return next({ ...input, signal: ctl }).then(
          (r): BackendResult => {
            done();
            if (!fired) return r;
            if (r.kind === 'raw') discardBody(r.raw.body);
            return errorResult(TIMED_OUT);
          },
          (err) => {
            done();
            throw err;
          },
        );
      },
  };
}
