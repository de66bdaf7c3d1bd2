// The plain models on each side of the boundary: what is copied into Lua (header names in Go's
// canonical form, as net/http hands them to KrakenD) and the checks on what comes back, so a
// script can only ever return strings where the pipeline expects strings.
import { canonical } from './lua-http.js';
import type { LuaJson, LuaMultiMap, LuaRequestModel, LuaResponseModel } from './types.js';

function canonMap(m: LuaMultiMap | undefined): LuaMultiMap {
  const out: LuaMultiMap = {};
  for (const [k, v] of Object.entries(m ?? {})) {
    const key = canonical(k);
    out[key] = (out[key] ?? []).concat(v);
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

export function requestOut(v: unknown, before: LuaRequestModel): LuaRequestModel {
  const r = obj(v);
  const params: Record<string, string> = {};
  for (const [k, p] of Object.entries(obj(r.params))) if (typeof p === 'string') params[k] = p;
  const out: LuaRequestModel = {
    method: str(r.method),
    url: str(r.url),
    path: str(r.path),
    query: multiOut(r.query),
    headers: multiOut(r.headers),
    body: str(r.body),
    params,
  };
  if (before.host !== undefined) out.host = str(r.host);
  return out;
}

export function responseOut(v: unknown): LuaResponseModel {
  const r = obj(v);
  return {
    status: typeof r.status === 'number' ? r.status : 0,
    headers: multiOut(r.headers),
    body: str(r.body),
    data: obj(r.data) as Record<string, LuaJson>,
    isComplete: r.isComplete === true,
  };
}
