// The plain models on each side of the boundary: what is copied into Lua (header names in Go's
// canonical form, as net/http hands them to KrakenD), field by field when a script asks for it,
// and the checks on what comes back, so a script can only ever return strings where the
// pipeline expects strings.
import { canonical } from './lua-http.js';
import type { LuaJson, LuaMultiMap, LuaRequestChanges, LuaRequestModel, LuaResponseChanges, LuaResponseModel } from './types.js';

/** Field codes the prelude's HOSTLOAD asks for (prelude-sandbox.ts KEY: the same numbers). */
export const SIDE_REQ = 1;
export const SIDE_RESP = 2;
const K_METHOD = 1,
  K_URL = 2,
  K_PATH = 3,
  K_QUERY = 4,
  K_HEADERS = 5,
  K_BODY = 6,
  K_PARAMS = 7,
  K_HOST = 8,
  K_STATUS = 9,
  K_DATA = 10,
  K_COMPLETE = 11;
/** One header's first value (the name in `name`); undefined when absent. */
export const K_HEADER = 12;

export function canonMap(m: LuaMultiMap | undefined): LuaMultiMap {
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

/** The models of one call, read a field at a time as the script asks (HOSTLOAD). */
export class LuaCallModels {
  private reqHeaders: LuaMultiMap | undefined;
  private respHeaders: LuaMultiMap | undefined;

  constructor(
    readonly req: LuaRequestModel | undefined,
    readonly resp: LuaResponseModel | undefined,
  ) {}

  private headersOf(side: number): LuaMultiMap {
    if (side === SIDE_REQ) return (this.reqHeaders ??= canonMap(this.req?.headers));
    return (this.respHeaders ??= canonMap(this.resp?.headers));
  }

  /** A field's value as plain data; undefined for a missing single header. */
  load(side: number, key: number, name?: string): unknown {
    if (key === K_HEADERS) return this.headersOf(side);
    if (key === K_HEADER) {
      const m = this.headersOf(side);
      const l = name !== undefined && Object.hasOwn(m, name) ? m[name] : undefined;
      return l && l.length > 0 ? l[0] : undefined;
    }
    if (side === SIDE_REQ) {
      const r = this.req;
      if (!r) return undefined;
      switch (key) {
        case K_METHOD:
          return r.method;
        case K_URL:
          return r.url;
        case K_PATH:
          return r.path;
        case K_QUERY:
          return r.query ?? {};
        case K_BODY:
          return r.body ?? '';
        case K_PARAMS:
          return r.params ?? {};
        case K_HOST:
          return r.host ?? '';
      }
      return undefined;
    }
    const r = this.resp;
    if (!r) return undefined;
    switch (key) {
      case K_STATUS:
        return r.status;
      case K_BODY:
        return r.body ?? '';
      case K_DATA:
        return r.data ?? {};
      case K_COMPLETE:
        return r.isComplete;
    }
    return undefined;
  }
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const has = (r: Record<string, unknown>, k: string): boolean => Object.prototype.hasOwnProperty.call(r, k);

function multiOut(v: unknown): LuaMultiMap {
  const out: LuaMultiMap = {};
  for (const [k, l] of Object.entries(obj(v))) {
    if (Array.isArray(l)) out[k] = l.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** The prelude's pending header patch: name -> list, false for removed. */
function headerSetOut(v: unknown): Record<string, string[] | null> {
  const out: Record<string, string[] | null> = {};
  for (const [k, l] of Object.entries(obj(v))) {
    if (Array.isArray(l)) out[k] = l.filter((x): x is string => typeof x === 'string');
    else if (l === false) out[k] = null;
  }
  return out;
}

/** Headers with a header patch applied (both with canonical names). */
export function withHeaderSet(h: LuaMultiMap, set: Record<string, string[] | null>): LuaMultiMap {
  const out: LuaMultiMap = { ...h };
  for (const k of Object.keys(set)) {
    const l = set[k];
    if (l === null) delete out[k];
    else if (k === '__proto__') Object.defineProperty(out, k, { value: l, enumerable: true, writable: true, configurable: true });
    else out[k] = l;
  }
  return out;
}

// `v` holds only the fields the script may have changed (the prelude's dirty flags).
export function requestChanges(v: unknown): LuaRequestChanges {
  const r = obj(v);
  const out: LuaRequestChanges = {};
  if (has(r, 'method')) out.method = str(r.method);
  if (has(r, 'url')) out.url = str(r.url);
  if (has(r, 'path')) out.path = str(r.path);
  if (has(r, 'query')) out.query = multiOut(r.query);
  if (has(r, 'headers')) out.headers = multiOut(r.headers);
  else if (has(r, 'hset')) out.headerSet = headerSetOut(r.hset);
  if (has(r, 'body')) out.body = str(r.body);
  if (has(r, 'host')) out.host = str(r.host);
  if (has(r, 'params')) {
    const params: Record<string, string> = {};
    for (const [k, p] of Object.entries(obj(r.params))) if (typeof p === 'string') params[k] = p;
    out.params = params;
  }
  return out;
}

/** The whole request after the script: its changes over the request given. */
export function requestOut(before: LuaRequestModel, c: LuaRequestChanges): LuaRequestModel {
  const out: LuaRequestModel = {
    method: c.method ?? before.method,
    url: c.url ?? before.url,
    path: c.path ?? before.path,
    query: c.query ?? before.query ?? {},
    headers: c.headers ?? (c.headerSet ? withHeaderSet(canonMap(before.headers), c.headerSet) : canonMap(before.headers)),
    body: c.body ?? before.body ?? '',
    params: c.params ?? before.params ?? {},
  };
  if (before.host !== undefined) out.host = c.host ?? before.host;
  return out;
}

export function responseChanges(v: unknown): LuaResponseChanges {
  const r = obj(v);
  const out: LuaResponseChanges = {};
  if (has(r, 'status')) out.status = typeof r.status === 'number' ? r.status : 0;
  if (has(r, 'headers')) out.headers = multiOut(r.headers);
  else if (has(r, 'hset')) out.headerSet = headerSetOut(r.hset);
  if (has(r, 'body')) out.body = str(r.body);
  if (has(r, 'isComplete')) out.isComplete = r.isComplete === true;
  if (has(r, 'data')) out.data = obj(r.data) as Record<string, LuaJson>;
  else if (has(r, 'dataSet')) {
    out.dataSet = obj(r.dataSet) as Record<string, LuaJson>;
    out.dataDel = Array.isArray(r.dataDel) ? r.dataDel.filter((k): k is string => typeof k === 'string') : [];
  }
  return out;
}

export function responseOut(before: LuaResponseModel, c: LuaResponseChanges): LuaResponseModel {
  return {
    status: c.status ?? before.status,
    headers: c.headers ?? (c.headerSet ? withHeaderSet(canonMap(before.headers), c.headerSet) : canonMap(before.headers)),
    body: c.body ?? before.body ?? '',
    data: dataAfter(before.data ?? {}, c),
    isComplete: (c.isComplete ?? before.isComplete) === true,
  };
}

/** The data after a script: replaced whole, patched at the top level, or the one given (the
 *  same object when the script changed nothing). */
export function dataAfter(sent: Record<string, LuaJson>, c: LuaResponseChanges): Record<string, LuaJson> {
  if (c.data) return c.data;
  const set = c.dataSet;
  const del = c.dataDel ?? [];
  if (!set) return sent;
  const setKeys = Object.keys(set);
  if (setKeys.length === 0 && del.length === 0) return sent;
  const out: Record<string, LuaJson> = {};
  const put = (k: string, v: LuaJson): void => {
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  };
  for (const k of Object.keys(sent)) put(k, sent[k]);
  for (const k of del) delete out[k];
  for (const k of setKeys) put(k, set[k]);
  return out;
}
