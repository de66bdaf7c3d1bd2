// The direct path's backend calls (compile-endpoint's `direct`): one exchange per backend run
// from undici's callbacks, the answer decoded there, and for several backends a join by count.
// The general path (`plan.proxy`) goes through an async function per layer and Promise.all for a
// merge; for backends with nothing around them that is only promise hops (issue #20: the JSON
// route spent more on them than on decoding and encoding its body).
import type { IncomingMessage } from 'node:http';
import type { Pool } from 'undici';
import { errorResult, type BackendResult, type CallInput, type UpstreamRequest } from '../core/backend-result.js';
import type { CancelSignal } from '../core/call-signal.js';
import { toGatewayError } from '../core/gateway-error.js';
import { firstHop, followRedirects, mayRedirect, type UpstreamResponse } from '../proxy/call-upstream.js';
import { startExchange } from '../proxy/upstream-exchange.js';
import type { CallTap } from './call-tap.js';
import type { DirectBackend } from './compile-backend.js';
import { combine } from './merge.js';

export type Done = (r: BackendResult) => void;

/** A client body piped to the backend unread: the request and its Content-Length. */
export interface StreamedBody {
  readonly req: IncomingMessage;
  readonly length: number;
}

function hasHeader(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

/** What `callDirect` needs of a backend: its request, its pools, and what an answer becomes
 * (a BackendResult for DirectBackend.finish; bytes or a result for its finishGoJson). */
export interface DirectExchange<T> {
  prepare(input: CallInput): UpstreamRequest | BackendResult;
  readonly pools: ReadonlyMap<string, Pool>;
  finish(res: UpstreamResponse, signal: CancelSignal): T | Promise<T>;
}

/** The backend's result of an answer, handed to `done` (at once unless decoding is async). */
function finishWith<T>(d: DirectExchange<T>, res: UpstreamResponse, input: CallInput, done: (r: T | BackendResult) => void): void {
  const r = d.finish(res, input.signal);
  if (r instanceof Promise) r.then(done, (err) => done(errorResult(toGatewayError(err, input.signal))));
  else done(r);
}

/** Calls one backend; `done` is called exactly once, later or (request not sendable) at once.
 * The same request, redirects and result as the backend's `call`. */
export function callDirect<T = BackendResult>(d: DirectExchange<T>, input: CallInput, stream: StreamedBody | null, done: (r: T | BackendResult) => void): void {
  const failed = (err: unknown): void => done(errorResult(toGatewayError(err, input.signal)));
  let up;
  try {
    up = d.prepare(input);
  } catch (err) {
    return failed(err);
  }
  if (!('origin' in up)) return done(up);
  const req = up;
  const pool = d.pools.get(req.origin);
  // Pools exist for every compiled origin; a miss answers as a failed exchange would.
  if (pool === undefined) return failed(new Error('invariant: no upstream pool for a compiled origin'));
  const hop = firstHop(req);
  if (stream !== null) {
    hop.body = stream.req;
    if (!req.chunked && !hasHeader(hop.headers, 'content-length')) hop.headers = [...hop.headers, 'content-length', String(stream.length)];
  }
  startExchange(
    pool,
    hop,
    (first) => {
      // A streamed body cannot be sent again: a 307/308 is answered as it is, as Go's client does
      // for a body it cannot rewind (301/302/303 are re-issued as GET without a body anyway).
      if (mayRedirect(first.status) && !(stream !== null && (first.status === 307 || first.status === 308))) {
        followRedirects(d.pools, req, first).then((res) => finishWith(d, res, input, done), failed);
        return;
      }
      finishWith(d, { status: first.status, headers: first.headers, body: first.body, url: req.origin + req.path }, input, done);
    },
    failed,
  );
}

/** Whether a backend's taps need their own copy of the input (they set traceHeaders). */
function writesInput(taps: readonly CallTap[]): boolean {
  for (const t of taps) if (t.writesInput) return true;
  return false;
}

/** Several backends at once, each with its own taps; `done` gets the merged result (as
 * parallelMerge's) once the last one answered. */
export function callAllDirect(backends: readonly DirectBackend[], taps: readonly (readonly CallTap[])[], input: CallInput, done: Done): void {
  const n = backends.length;
  const results: BackendResult[] = new Array<BackendResult>(n);
  let pending = n;
  const settle = (i: number, r: BackendResult): void => {
    results[i] = r;
    // Results of the direct path are freshly decoded: merged in place, no copy.
    if (--pending === 0) done(combine(results, true));
  };
  for (let i = 0; i < n; i++) {
    const t = taps[i];
    if (t === undefined || t.length === 0) {
      callDirect(backends[i], input, null, (r) => settle(i, r));
      continue;
    }
    const own = writesInput(t) ? { ...input } : input;
    const states = t.map((x) => x.start(own));
    callDirect(backends[i], own, null, (r) => {
      for (let j = t.length - 1; j >= 0; j--) t[j].end(states[j], own, r);
      settle(i, r);
    });
  }
}
