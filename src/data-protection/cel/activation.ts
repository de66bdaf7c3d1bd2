// Facts -> CEL activation, per evaluation. Only the variables the phase's expressions use are
// built. Maps are null-prototype objects, so no key can reach Object.prototype. Header keys are
// canonical (Go textproto: `x-some-thing` -> `X-Some-Thing`), path params get KrakenD's
// upper-cased first letter (`id` -> `Id`).
import type { RequestFacts, ResponseFacts } from '../types.js';
import { krakendNow } from './now.js';

type Activation = Record<string, unknown>;

export function canonicalHeaderKey(k: string): string {
  let out = '';
  let upper = true;
  for (const ch of k) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/** Header names repeat across requests: canonical forms are remembered, up to a bound (names
 * come from clients, so the table must not grow without limit). */
const CANONICAL = new Map<string, string>();
const MAX_CANONICAL = 1024;

function canonical(k: string): string {
  let c = CANONICAL.get(k);
  if (c === undefined) {
    c = canonicalHeaderKey(k);
    if (CANONICAL.size < MAX_CANONICAL) CANONICAL.set(k, c);
  }
  return c;
}

/** Flat [name, value, ...] straight to the canonical null-prototype map of lists, values in the
 * order they came (Go's textproto order). */
export function canonicalHeaderLists(flat: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (let i = 0; i < flat.length; i += 2) (out[canonical(flat[i])] ??= []).push(flat[i + 1]);
  return out;
}

function headerMap(h: Readonly<Record<string, readonly string[]>>): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = Object.create(null);
  for (const k of Object.keys(h)) {
    const key = canonical(k);
    const prev = out[key];
    out[key] = prev ? [...prev, ...h[k]] : h[k]; // lists are only read by CEL: no copy
  }
  return out;
}

function listMap(q: Readonly<Record<string, readonly string[]>>): Record<string, readonly string[]> {
  // The facts' maps are null-prototype already (components/validation/facts.ts): no copy then.
  return Object.getPrototypeOf(q) === null ? q : Object.assign(Object.create(null), q);
}

const CAPITALISED = new Map<string, string>();

function paramMap(p: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const k of Object.keys(p)) {
    let key = CAPITALISED.get(k);
    if (key === undefined) {
      key = k.charAt(0).toUpperCase() + k.slice(1);
      if (CAPITALISED.size < MAX_CANONICAL) CAPITALISED.set(k, key);
    }
    out[key] = p[k];
  }
  return out;
}

export function requestActivation(f: RequestFacts, uses: ReadonlySet<string>, now?: Date): Activation {
  const a: Activation = Object.create(null);
  if (uses.has('now')) a.now = krakendNow(now ?? new Date());
  if (uses.has('req_method')) a.req_method = f.method;
  if (uses.has('req_path')) a.req_path = f.path;
  if (uses.has('req_params')) a.req_params = paramMap(f.params);
  if (uses.has('req_headers')) a.req_headers = f.canonicalHeaders ?? headerMap(f.headers);
  if (uses.has('req_querystring')) a.req_querystring = listMap(f.query);
  return a;
}

export function responseActivation(f: ResponseFacts, uses: ReadonlySet<string>, now?: Date): Activation {
  const a: Activation = Object.create(null);
  if (uses.has('now')) a.now = krakendNow(now ?? new Date());
  if (uses.has('resp_completed')) a.resp_completed = f.completed;
  if (uses.has('resp_metadata_status')) a.resp_metadata_status = BigInt(Math.trunc(f.status));
  if (uses.has('resp_metadata_headers')) a.resp_metadata_headers = headerMap(f.headers);
  if (uses.has('resp_data')) a.resp_data = f.data;
  return a;
}

export function jwtActivation(claims: Readonly<Record<string, unknown>> | null, uses: ReadonlySet<string>, now?: Date): Activation {
  const a: Activation = Object.create(null);
  if (uses.has('now')) a.now = krakendNow(now ?? new Date());
  if (uses.has('JWT')) a.JWT = claims ?? Object.create(null);
  return a;
}
