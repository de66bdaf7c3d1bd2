// The direct JSON path for merges (issue #20): several direct JSON backends whose shaping is at
// most a top-level `allow` and a `group`, answered as `json` with nothing reading the data. Each
// backend's body is made Go's bytes (canonicalGoJson), its allowed top-level members picked and
// grouped as bytes (json-go-members.ts), and the answer written as their union in Go's order,
// without decoding, shaping, merging and encoding JS objects. The bytes are the ones the general
// merge writes: the same members, later backends winning on a key in several.
//
// Anything else falls back to the general merge of the same answers: a backend that failed,
// answered gzip, or whose body the canonicaliser declines (invalid JSON, duplicate keys, ...)
// has its result made by the backend's own `finish`, and so has every backend whose bytes were
// already shaped (their bodies are kept whole), then `combine` merges them as callAllDirect does.
import type { BackendConfig } from '../config/types.js';
import { dataResult, errorResult, type BackendResult, type CallInput, type UpstreamResponse } from '../core/backend-result.js';
import type { CancelSignal } from '../core/call-signal.js';
import { toGatewayError } from '../core/gateway-error.js';
import { canonicalGoJson } from '../encoding/json-go-canon.js';
import { pickedGoJson } from '../encoding/json-go-pick.js';
import { encodeGoBytes } from '../encoding/json-go-bytes.js';
import { grouped, mergedObject, topMembers, type Members } from '../encoding/json-go-members.js';
import { headerValue } from '../proxy/upstream-exchange.js';
import type { CallTap } from './call-tap.js';
import { MAX_UPSTREAM_BODY, type DirectBackend } from './compile-backend.js';
import { callDirect, type DirectExchange } from './direct-call.js';
import { combine } from './merge.js';

/** One backend's answer made into its shaped members as bytes; `res` (a whole body) is kept for
 * the fallback, which decodes it after all. */
export class ShapedBody {
  constructor(
    readonly members: Members,
    readonly res: UpstreamResponse,
  ) {}
}

type Outcome = ShapedBody | BackendResult;

/** A merge the direct JSON path can answer: per backend, the exchange whose `finish` shapes the
 * bytes, and the backend's own `finish` for the fallback. */
export interface MergeGoJson {
  readonly exchanges: readonly DirectExchange<Outcome>[];
  readonly finishes: readonly DirectBackend['finish'][];
}

/** What the taps of a backend or a merge answered as bytes see: complete data, no failure (all
 * they read of a result; a shaped body decodes to that, see ShapedBody). */
export const PASSED_JSON: BackendResult = Object.freeze(dataResult({}, true));

/** Whether `s` survives UTF-8 (no lone surrogate): then its bytes compare as the string does. */
function wellFormed(s: string): boolean {
  return Buffer.from(s, 'utf8').toString('utf8') === s;
}

const isEmpty = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** The top-level allow names (UTF-8), null for no allow, or undefined when the backend's
 * shaping is something else than a top-level allow and a group (see compileBackendShaper). */
function shapingOf(b: BackendConfig): { allow: Buffer[] | null; group: Buffer | null } | undefined {
  if (b.encoding !== 'json' || b.isCollection) return undefined;
  if (!(b.target === undefined || b.target === '') || !isEmpty(b.flatmap)) return undefined;
  if (!(b.mapping === undefined || b.mapping === null || (typeof b.mapping === 'object' && Object.keys(b.mapping).length === 0))) return undefined;
  let allow: Buffer[] | null = null;
  if (!isEmpty(b.allow)) {
    if (!Array.isArray(b.allow)) return undefined;
    // A dotted name keeps a nested part only: not a top-level member.
    if (!b.allow.every((a) => typeof a === 'string' && !a.includes('.') && wellFormed(a))) return undefined;
    allow = b.allow.map((a) => Buffer.from(a, 'utf8'));
  } else if (!isEmpty(b.deny)) {
    return undefined;
  }
  let group: Buffer | null = null;
  if (b.group !== undefined && b.group !== '') {
    if (typeof b.group !== 'string' || !wellFormed(b.group)) return undefined;
    // The group's name is compared as its bytes: only a name Go writes as they are.
    const go = encodeGoBytes(b.group);
    if (!go.equals(Buffer.from(`"${b.group}"`, 'utf8'))) return undefined;
    group = go;
  }
  return { allow, group };
}

/** The merge's direct JSON plan, or null when a backend's shaping or encoding is not one this
 * path writes as bytes. `addsGzip`: the gateway asked for gzip (an answer with a
 * content-encoding then goes the backend's `finish`, which undoes it). */
export function compileMergeGoJson(cfgs: readonly BackendConfig[], directs: readonly DirectBackend[], addsGzip: boolean): MergeGoJson | null {
  if (cfgs.length < 2 || cfgs.length !== directs.length) return null;
  const exchanges: DirectExchange<Outcome>[] = [];
  for (let k = 0; k < cfgs.length; k++) {
    const shaping = shapingOf(cfgs[k]);
    const d = directs[k];
    if (shaping === undefined || d.noop) return null;
    const { allow, group } = shaping;
    const finish = (res: UpstreamResponse, signal: CancelSignal): Outcome | Promise<Outcome> => {
      // The cases the backend's finish decodes at once; everything else (errors, gzip) is its.
      if ((res.status === 200 || res.status === 201) && Buffer.isBuffer(res.body) && res.body.length <= MAX_UPSTREAM_BODY) {
        const enc = addsGzip ? headerValue(res.headers, 'content-encoding') : undefined;
        if (enc === undefined || enc === 'identity') {
          // With an allow list, the dropped members are only validated (json-go-pick.ts).
          const bytes = allow === null ? canonicalGoJson(res.body) : pickedGoJson(res.body, allow);
          if (bytes !== undefined) {
            const m = topMembers(bytes);
            return new ShapedBody(group === null ? m : grouped(group, m), res);
          }
        }
      }
      return d.finish(res, signal);
    };
    exchanges.push({ prepare: d.prepare, pools: d.pools, finish });
  }
  return { exchanges, finishes: directs.map((d) => d.finish) };
}

/** Whether a backend's taps need their own copy of the input (they set traceHeaders). */
function writesInput(taps: readonly CallTap[]): boolean {
  for (const t of taps) if (t.writesInput) return true;
  return false;
}

/** The general merge of the outcomes: shaped bodies decoded by their backend's `finish`. */
function fallback(m: MergeGoJson, outcomes: readonly Outcome[], signal: CancelSignal, done: (out: Buffer | BackendResult) => void): void {
  const results: (BackendResult | Promise<BackendResult>)[] = outcomes.map((o, k) => (o instanceof ShapedBody ? m.finishes[k](o.res, signal) : o));
  if (!results.some((r) => r instanceof Promise)) return done(combine(results as BackendResult[], true));
  Promise.all(results).then(
    (rs) => done(combine(rs, true)),
    (err) => done(errorResult(toGatewayError(err, signal))),
  );
}

/** Calls every backend at once, each with its own taps; `done` gets the merged answer's bytes
 * when every backend's body was shaped as bytes, else the general merge's result. */
export function callAllGoJson(m: MergeGoJson, taps: readonly (readonly CallTap[])[], input: CallInput, done: (out: Buffer | BackendResult) => void): void {
  const n = m.exchanges.length;
  const outcomes: Outcome[] = new Array<Outcome>(n);
  let pending = n;
  let shaped = 0;
  const settle = (k: number, o: Outcome): void => {
    outcomes[k] = o;
    if (o instanceof ShapedBody) shaped++;
    if (--pending !== 0) return;
    if (shaped === n) return done(mergedObject(outcomes.map((x) => (x as ShapedBody).members)));
    fallback(m, outcomes, input.signal, done);
  };
  for (let k = 0; k < n; k++) {
    const t = taps[k];
    if (t === undefined || t.length === 0) {
      callDirect(m.exchanges[k], input, null, (o) => settle(k, o));
      continue;
    }
    const own = writesInput(t) ? { ...input } : input;
    const states = t.map((x) => x.start(own));
    callDirect(m.exchanges[k], own, null, (o) => {
      const r = o instanceof ShapedBody ? PASSED_JSON : o;
      for (let j = t.length - 1; j >= 0; j--) t[j].end(states[j], own, r);
      settle(k, o);
    });
  }
}
