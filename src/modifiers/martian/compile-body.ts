// body.Modifier, cookie.*, status.* (google/martian body/, cookie/, status/ at 25dcb96).

import { applyScope, checkKeys, fail, optBool, optInt, optString, ptr, reqString } from './compile-fields.js';
import { buildFilter } from './filter.js';
import { cookieValueOut, requestCookies, responseCookies, setCookieLine, validCookieName, validCookieValue, type CookieSpec } from './cookies.js';
import { mapGet } from './headers.js';
import { rangeResponse } from './body-range.js';
import type { ModifierFactory } from './types.js';

const noop = (): undefined => undefined;
/** Go's []byte JSON field: standard base64 with padding (CR/LF ignored). */
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_BODY = 8 * 1024 * 1024;

const bodyModifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['body', 'contentType', 'scope']);
  const b64 = optString(cfg, 'body', at).replace(/[\r\n]/g, '');
  if (!B64.test(b64)) fail(ptr(at, 'body'), 'body must be standard base64 (e.g. `echo -n \'{"a":1}\' | base64 -w0`)');
  const body = Buffer.from(b64, 'base64');
  if (body.length > MAX_BODY) fail(ptr(at, 'body'), `body is larger than ${MAX_BODY} bytes`);
  const contentType = optString(cfg, 'contentType', at);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(contentType)) fail(ptr(at, 'contentType'), 'contentType has control characters');
  return applyScope(
    {
      request: (req) => {
        req.headers.set('content-type', [contentType]);
        req.headers.delete('content-encoding');
        req.body = body;
        return undefined;
      },
      response: (res, req) => {
        res.headers.set('content-type', [contentType]);
        res.headers.delete('content-encoding');
        const range = mapGet(req.headers, 'range');
        if (range === '') {
          res.body = body;
          return undefined;
        }
        return rangeResponse(res, body, contentType, range);
      },
    },
    cfg,
    at,
    name,
  );
};

/** Go's time.Time JSON form: RFC 3339. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const cookieModifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['name', 'value', 'path', 'domain', 'expires', 'secure', 'httpOnly', 'maxAge', 'scope']);
  const n = reqString(cfg, 'name', at, name);
  if (!validCookieName(n)) fail(ptr(at, 'name'), `"${n}" is not a valid cookie name`);
  const value = optString(cfg, 'value', at);
  if (!validCookieValue(value)) fail(ptr(at, 'value'), 'cookie value has a character a cookie may not carry (control, `"`, `;`, `\\`)');
  const path = optString(cfg, 'path', at);
  const domain = optString(cfg, 'domain', at);
  for (const [k, v] of [
    ['path', path],
    ['domain', domain],
  ] as const) {
    if (/[\x00-\x1f\x7f;]/.test(v)) fail(ptr(at, k), `cookie ${k} may not contain ";" or control characters`);
  }
  const exp = optString(cfg, 'expires', at);
  let expires: number | null = null;
  if (exp !== '') {
    const ms = Date.parse(exp);
    if (!RFC3339.test(exp) || Number.isNaN(ms)) fail(ptr(at, 'expires'), 'expires must be an RFC 3339 time, e.g. "2025-04-12T23:20:50.52Z"');
    expires = ms;
  }
  const spec: CookieSpec = {
    name: n,
    value,
    path,
    domain,
    expires,
    secure: optBool(cfg, 'secure', at),
    httpOnly: optBool(cfg, 'httpOnly', at),
    maxAge: optInt(cfg, 'maxAge', at, -2147483648, 2147483647),
  };
  const pair = `${n}=${cookieValueOut(value)}`;
  const line = setCookieLine(spec);
  return applyScope(
    {
      // Request.AddCookie: only name=value, appended to the existing Cookie header.
      request: (req) => {
        const c = mapGet(req.headers, 'cookie');
        req.headers.set('cookie', [c !== '' ? `${c}; ${pair}` : pair]);
        return undefined;
      },
      response: (res) => {
        const vs = res.headers.get('set-cookie');
        if (vs) vs.push(line);
        else res.headers.set('set-cookie', [line]);
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

const cookieFilter: ModifierFactory = (cfg, at, name, child) => {
  const n = reqString(cfg, 'name', at, name);
  const value = optString(cfg, 'value', at);
  const match = (cs: Array<[string, string]>): boolean => cs.some(([cn, cv]) => cn === n && (value === '' || cv === value));
  return buildFilter(cfg, at, name, child, ['name', 'value'], {
    request: (req) => match(requestCookies(req.headers.get('cookie'))),
    response: (res) => match(responseCookies(res.headers.get('set-cookie'))),
  });
};

function statusCode(cfg: Record<string, unknown>, at: string, name: string): number {
  if (cfg.statusCode === undefined) fail(at, `${name} needs "statusCode"`);
  return optInt(cfg, 'statusCode', at, 100, 599);
}

const statusModifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['statusCode', 'scope']);
  const code = statusCode(cfg, at, name);
  return applyScope(
    {
      response: (res) => {
        res.status = code;
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

const statusVerifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['statusCode', 'scope']);
  statusCode(cfg, at, name);
  return applyScope({ response: noop }, cfg, at, name);
};

export const BODY_MODIFIERS: ReadonlyArray<[string, ModifierFactory]> = [
  ['body.Modifier', bodyModifier],
  ['cookie.Modifier', cookieModifier],
  ['cookie.Filter', cookieFilter],
  ['status.Modifier', statusModifier],
  ['status.Verifier', statusVerifier],
];
