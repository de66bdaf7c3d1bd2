// Builds the backend wrapper of `qos/circuit-breaker` and `qos/circuit-breaker/http`.
// What counts as a failure (docs/reference/traffic-and-http-security.md §4): any error result of the wrapped call (connection errors,
// timeouts, non-200/201 statuses, decode errors). Not failures: calls cancelled because the
// client went away or a concurrent call won (the abort reason is not the gateway's deadline),
// and no-op answers (their status is not inspected) unless `valid_status_codes` is given
// (qos/circuit-breaker/http).
import { GatewayError } from '../../../core/gateway-error.js';
import { errorResult, failureOf, type BackendHandler, type CallInput, type BackendResult } from '../../../core/backend-result.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import cluster from 'node:cluster';
import { Breaker, REFUSED_BUSY, REFUSED_OPEN, type BreakerState, type Outcome } from './breaker.js';
import { ASK, NodeBreaker } from './node-breaker.js';
import { registerBreaker } from './states.js';

export interface BreakerCfg {
  interval?: number;
  timeout?: number;
  max_errors?: number;
  name?: string;
  log_status_change?: boolean;
  valid_status_codes?: number[];
}

const OPEN = new GatewayError('backend.circuit_open', 'circuit breaker is open');
const BUSY = new GatewayError('backend.busy', 'too many requests');

function refused(error: GatewayError): Promise<BackendResult> {
  return Promise.resolve(errorResult(error));
}

function outcomeOf(r: BackendResult, input: CallInput, valid: ReadonlySet<number> | undefined): Outcome {
  if (input.signal.aborted && !(input.signal.reason instanceof GatewayError)) return 'neutral';
  if (failureOf(r)) return 'failure';
  if (valid && r.kind === 'raw' && !valid.has(r.raw.status)) return 'failure';
  return 'success';
}

export function buildBreaker(cfg: BreakerCfg, env: BuildEnv, namespace: string): Stage {
  const interval = cfg.interval ?? 0;
  const timeout = cfg.timeout ?? 0;
  const maxErrors = cfg.max_errors ?? 0;
  if (interval === 0 && timeout === 0 && maxErrors === 0) {
    throw new Error('interval, timeout and max_errors are all 0: KrakenD treats this as "no circuit breaker"; remove it or set real values');
  }
  const { endpoint: ep, backend } = backendEnv(env);
  const index = backend.pointer.slice(backend.pointer.lastIndexOf('/') + 1);
  const id = `${ep.method} ${ep.path} backend ${index} ${namespace}`;
  const name = cfg.name ?? '';
  const log = cfg.log_status_change === true;
  const valid = cfg.valid_status_codes ? new Set(cfg.valid_status_codes) : undefined;
  const onChange = (from: BreakerState, to: BreakerState) => {
    if (log) env.log.warn({ circuit_breaker: name, backend: id, from, to }, `[CB] Circuit breaker named '${name}' went from '${from}' to '${to}'`);
  };
  const intervalMs = interval * 1000;
  const timeoutMs = (timeout || 60) * 1000;
  const threshold = Math.max(1, maxErrors);
  const around = cluster.isWorker
    ? nodeWide(new NodeBreaker(id, name, intervalMs, timeoutMs, threshold, onChange), valid)
    : inProcess(new Breaker(name, intervalMs, timeoutMs, threshold, onChange), valid);
  const unregister = registerBreaker(id, around.view);
  return {
    around: around.wrap,
    close: () => {
      unregister();
      around.close();
    },
  };
}

interface Wrapper {
  view: Breaker | NodeBreaker;
  wrap: (next: BackendHandler) => BackendHandler;
  close: () => void;
}

/** The breaker around a backend call: a ticket before (refused at once when open or busy), the
 * call's outcome after. `take` may answer later (a worker asking the primary for the trial). */
function guard(take: (now: number) => number | Promise<number>, report: (ticket: number, outcome: Outcome) => void, valid: ReadonlySet<number> | undefined) {
  return (next: BackendHandler): BackendHandler =>
    async (input) => {
      let ticket = take(Date.now());
      if (typeof ticket !== 'number') ticket = await ticket;
      if (ticket === REFUSED_OPEN) return refused(OPEN);
      if (ticket === REFUSED_BUSY) return refused(BUSY);
      let r: BackendResult;
      try {
        r = await next(input);
      } catch (err) {
        report(ticket, 'failure');
        throw err;
      }
      report(ticket, outcomeOf(r, input, valid));
      return r;
    };
}

/** One process (`--workers 1`): the breaker itself, all synchronous. */
function inProcess(breaker: Breaker, valid: ReadonlySet<number> | undefined): Wrapper {
  return {
    view: breaker,
    close: () => undefined,
    wrap: guard(
      (now) => breaker.before(now),
      (t, o) => breaker.after(t, o, Date.now()),
      valid,
    ),
  };
}

/** A `--workers N` worker: a mirror of the node's breaker in the cluster primary. */
function nodeWide(breaker: NodeBreaker, valid: ReadonlySet<number> | undefined): Wrapper {
  return {
    view: breaker,
    close: () => breaker.close(),
    wrap: guard(
      (now) => {
        const t = breaker.before(now);
        return t === ASK ? breaker.askTrial() : t;
      },
      (t, o) => breaker.after(t, o),
      valid,
    ),
  };
}
