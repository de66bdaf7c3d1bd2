// Builders for martian unit tests: plain request/response models and a compile+run shortcut.

import assert from 'node:assert/strict';
import {
  compileMartian,
  runMartianRequest,
  runMartianResponse,
  MartianConfigError,
  type MutableRequest,
  type MutableResponse,
  type StepResult,
} from '../../src/modifiers/martian/index.js';

type ReqOver = Partial<Omit<MutableRequest, 'headers'>> & { headers?: Record<string, string | string[]> | Map<string, string[]> };
type ResOver = Partial<Omit<MutableResponse, 'headers'>> & { headers?: Record<string, string | string[]> };

export function req(over: ReqOver = {}): MutableRequest {
  const headers = over.headers instanceof Map ? over.headers : new Map(Object.entries(over.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  return {
    method: over.method ?? 'GET',
    url: over.url ?? { scheme: 'http', host: 'backend.local:8080', path: '/foo', query: '' },
    host: over.host ?? 'backend.local:8080',
    headers,
    body: over.body ?? null,
    skipRoundTrip: false,
  };
}

export function res(over: ResOver = {}): MutableResponse {
  return {
    status: over.status ?? 200,
    headers: new Map(Object.entries(over.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    body: over.body ?? null,
  };
}

/** Compiles `cfg`, runs the request phase on `r`, asserts no error, returns `r`. */
export function onRequest(cfg: unknown, r: MutableRequest = req()): MutableRequest {
  const m = compileMartian(cfg);
  assert.equal(runMartianRequest(m, r), undefined);
  return r;
}

/** Compiles `cfg`, runs both phases (the response sees `r` as sent), returns the response. */
export function onResponse(cfg: unknown, s: MutableResponse = res(), r: MutableRequest = req()): MutableResponse {
  const m = compileMartian(cfg);
  assert.equal(runMartianRequest(m, r), undefined);
  assert.equal(runMartianResponse(m, s, r), undefined);
  return s;
}

export function runReq(cfg: unknown, r: MutableRequest = req()): StepResult {
  return runMartianRequest(compileMartian(cfg), r);
}

/** Asserts compile fails with `pointer` and a reason matching `re`. */
export function refused(cfg: unknown, pointer: string, re: RegExp): void {
  assert.throws(
    () => compileMartian(cfg),
    (err: unknown) => {
      assert.ok(err instanceof MartianConfigError, `expected MartianConfigError, got ${String(err)}`);
      assert.equal(err.pointer, pointer);
      assert.match(err.reason, re);
      assert.equal(err.message, `${pointer || '/'}: ${err.reason}`);
      return true;
    },
  );
}

export function h(m: { headers: Map<string, string[]> }, name: string): string[] | undefined {
  return m.headers.get(name);
}
