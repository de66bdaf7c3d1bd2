// The plain models on each side of the boundary: what is copied into Lua (header names in Go's
// canonical form, as net/http hands them to KrakenD) and the checks on what comes back, so a
// script can only ever return strings where the pipeline expects strings.
import { canonical } from './lua-http.js';
import type { LuaJson, LuaMultiMap, LuaRequestModel, LuaResponseModel } from './types.js';

function canonMap(m: LuaMultiMap | undefined): LuaMultiMap {
  const out: LuaMultiMap = {};
  if (!m) return out;
  for (const k of Object.keys(m)) {
    const key = canonical(k);
    const prev = out[key];
    // The lists are only read (copied into Lua), so one name keeps its list as it is.
    if (prev === undefined) {
      if (key === '__proto__') Object.defineProperty(out, key, { value: m[k], enumerable: true, writable: true, configurable: true });
      else out[key] = m[k];
    } else out[key] = prev.concat(m[k]);
  }
  return out;
}

export function requestIn(r: LuaRequestModel): Record<string, unknown> {
  return {
    method: r.method,
    url: r.url,
    path: r.path,
    query: r.query ?? {},
    headers: canonMap(r.headers),
    body: r.body ?? '',
    params: r.params ?? {},
    host: r.host ?? '',
  };
}

export function responseIn(r: LuaResponseModel): Record<string, unknown> {
  return { status: r.status, headers: canonMap(r.headers), body: r.body ?? '', data: r.data ?? {}, isComplete: r.isComplete };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function multiOut(v: unknown): LuaMultiMap {
  const out: LuaMultiMap = {};
  for (const [k, l] of Object.entries(obj(v))) {
    if (Array.isArray(l)) out[k] = l.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

// `v` holds only the fields the script may have changed (the prelude's dirty flags); every
// other field is the one copied in (`sent`), untouched.
const has = (r: Record<string, unknown>, k: string): boolean => Object.prototype.hasOwnProperty.call(r, k);

export function requestOut(v: unknown, before: LuaRequestModel, sent: Record<string, unknown>): LuaRequestModel {
  const r = obj(v);
  const pick = (k: string): unknown => (has(r, k) ? r[k] : sent[k]);
  let params = sent.params as Record<string, string>;
  if (has(r, 'params')) {
    params = {};
    for (const [k, p] of Object.entries(obj(r.params))) if (typeof p === 'string') params[k] = p;
  }
  const out: LuaRequestModel = {
    method: str(pick('method')),
    url: str(pick('url')),
    path: str(pick('path')),
    query: has(r, 'query') ? multiOut(r.query) : (sent.query as LuaMultiMap),
    headers: has(r, 'headers') ? multiOut(r.headers) : (sent.headers as LuaMultiMap),
    body: str(pick('body')),
    params,
  };
  if (before.host !== undefined) out.host = str(pick('host'));
  return out;
}

export function responseOut(v: unknown, sent: Record<string, unknown>): LuaResponseModel {
  const r = obj(v);
  const status = has(r, 'status') ? r.status : sent.status;
  return {
    status: typeof status === 'number' ? status : 0,
    headers: has(r, 'headers') ? multiOut(r.headers) : (sent.headers as LuaMultiMap),
    body: str(has(r, 'body') ? r.body : sent.body),
    data: dataOut(r, sent.data as Record<string, LuaJson>),
    isComplete: (has(r, 'isComplete') ? r.isComplete : sent.isComplete) === true,
  };
}

/** The data: replaced whole, patched at the top level (the prelude's dataSet and dataDel, when
 *  only the root changed) or the one copied in. */
function dataOut(r: Record<string, unknown>, sent: Record<string, LuaJson>): Record<string, LuaJson> {
  if (has(r, 'data')) return obj(r.data) as Record<string, LuaJson>;
  if (!has(r, 'dataSet')) return sent;
  const out: Record<string, LuaJson> = {};
  const put = (k: string, v: LuaJson): void => {
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  };
  for (const k of Object.keys(sent)) put(k, sent[k]);
  for (const k of Array.isArray(r.dataDel) ? r.dataDel : []) if (typeof k === 'string') delete out[k];
  const set = obj(r.dataSet);
  for (const k of Object.keys(set)) put(k, set[k] as LuaJson);
  return out;
}
