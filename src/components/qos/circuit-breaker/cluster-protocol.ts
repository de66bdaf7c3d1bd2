// Messages between `rampart run --workers N` workers and the cluster primary, which holds every
// circuit breaker of the node (node-coordinator.ts); workers keep a mirror (node-breaker.ts).
// Every message has a `cb` tag, so it never collides with the rate limits' `rl` messages or the
// primary's own `rampart` ones.
import type { BreakerState } from './breaker.js';

/** A worker declares a breaker once, before using it (IPC is ordered per worker). */
export interface CbDefineMsg {
  cb: 'def';
  id: string;
  name: string;
  intervalMs: number;
  timeoutMs: number;
  threshold: number;
}

/** The outcome of one call that counts: `t` is the ticket, `o` failure, success or neutral. */
export interface CbOutcomeMsg {
  cb: 'out';
  id: string;
  t: number;
  o: 'f' | 's' | 'n';
}

/** An open breaker whose timeout is over: may this worker make the trial call? */
export interface CbTrialAskMsg {
  cb: 'ask';
  id: string;
  s: number;
}

export type CbWorkerMsg = CbDefineMsg | CbOutcomeMsg | CbTrialAskMsg;

/** The primary's breaker as it now is; `by` is the worker whose message changed its state. */
export interface CbStateMsg {
  cb: 'state';
  id: string;
  st: BreakerState;
  gen: number;
  until: number;
  counting: boolean;
  opened: number;
  transitions: number;
  by: number;
  from: BreakerState;
}

/** The answer to an ask: a ticket (trial or go) or a refusal code. */
export interface CbTrialMsg {
  cb: 'trial';
  s: number;
  t: number;
}

export type CbPrimaryMsg = CbStateMsg | CbTrialMsg;
