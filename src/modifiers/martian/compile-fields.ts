// Startup-time readers for one modifier's JSON object. Go's encoding/json silently ignores
// unknown keys and matches names case-insensitively; Rampart refuses both (a typo would
// otherwise be a modifier that quietly does nothing), keeping `@`/`$`/`_`/`#` comment keys.

import { MartianConfigError, type CompiledModifier, type ModifierImpl } from './types.js';

export type Obj = Record<string, unknown>;

export function ptr(base: string, key: string | number): string {
  return base + '/' + String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function fail(pointer: string, reason: string): never {
  throw new MartianConfigError(pointer, reason);
}

export function asObject(v: unknown, at: string, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(at, `${what} must be an object`);
  return v as Obj;
}

const COMMENT = /^[@$_#]/;

/** Refuses keys outside `allowed` (comments apart). */
export function checkKeys(o: Obj, at: string, name: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) {
    if (COMMENT.test(k) || allowed.includes(k)) continue;
    const near = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
    fail(ptr(at, k), near ? `${name} has no "${k}"; the key is "${near}" (case matters in Rampart)` : `${name} has no "${k}" (known: ${allowed.join(', ')})`);
  }
}

export function optString(o: Obj, key: string, at: string): string {
  const v = o[key];
  if (v === undefined) return '';
  if (typeof v !== 'string') fail(ptr(at, key), `"${key}" must be a string`);
  return v;
}

export function reqString(o: Obj, key: string, at: string, name: string): string {
  if (o[key] === undefined) fail(at, `${name} needs "${key}"`);
  return optString(o, key, at);
}

export function optBool(o: Obj, key: string, at: string): boolean {
  const v = o[key];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') fail(ptr(at, key), `"${key}" must be true or false`);
  return v;
}

/** Go decodes these into int/int64: a JSON number without a fraction. */
export function optInt(o: Obj, key: string, at: string, min: number, max: number): number {
  const v = o[key];
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(ptr(at, key), `"${key}" must be an integer`);
  if (v < min || v > max) fail(ptr(at, key), `"${key}" must be between ${min} and ${max}`);
  return v;
}

export function strings(o: Obj, key: string, at: string, name: string): string[] {
  const v = o[key];
  if (v === undefined) fail(at, `${name} needs "${key}"`);
  if (!Array.isArray(v)) fail(ptr(at, key), `"${key}" must be an array of strings`);
  return v.map((s, i) => {
    if (typeof s !== 'string') fail(ptr(ptr(at, key), i), 'must be a string');
    return s;
  });
}

/**
 * Go's parse.NewResult: no `scope` = every phase the modifier implements; each listed phase must
 * be implemented. KrakenD turns `"scope": []` into a modifier that never runs; Rampart refuses it.
 */
export function applyScope(impl: ModifierImpl, o: Obj, at: string, name: string): CompiledModifier {
  const s = o.scope;
  if (s === undefined) return { request: impl.request ?? null, response: impl.response ?? null };
  if (!Array.isArray(s)) fail(ptr(at, 'scope'), 'scope must be an array of "request" and/or "response"');
  if (s.length === 0) fail(ptr(at, 'scope'), 'scope is empty: the modifier would never run (KrakenD silently skips it)');
  let request = null;
  let response = null;
  s.forEach((v, i) => {
    if (v === 'request') {
      if (!impl.request) fail(ptr(ptr(at, 'scope'), i), `${name} cannot modify a request (scope "request")`);
      request = impl.request;
    } else if (v === 'response') {
      if (!impl.response) fail(ptr(ptr(at, 'scope'), i), `${name} cannot modify a response (scope "response")`);
      response = impl.response;
    } else {
      fail(ptr(ptr(at, 'scope'), i), `scope must be "request" or "response", got ${JSON.stringify(v)}`);
    }
  });
  return { request, response };
}

// RFC 9110 token (header names) and field value (no CR, LF, NUL or other controls but tab).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Framing headers: the adapter computes them from the body, never from config. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

/** A header name from config, lower-cased. `reading`: only matched or removed, never written. */
export function headerName(v: string, at: string, reading = false): string {
  if (!TOKEN.test(v)) fail(at, `"${v}" is not a valid header name`);
  const n = v.toLowerCase();
  if (!reading && FRAMING.has(n)) fail(at, `${v} is computed from the body by the gateway; a modifier may not set it (request smuggling)`);
  return n;
}

export function headerValue(v: string, at: string): string {
  if (!FIELD_VALUE.test(v)) fail(at, 'header value has control characters (CR, LF, NUL…): refused (header injection)');
  return v;
}
