// header.* and stash.Modifier (google/martian header/, stash/; krakend-martian header/id_modifier.go).
// Every value written comes from the config, except where the config names a source:
// header.Copy (another header of the same message), stash.Modifier (the URL being sent),
// header.Id (a fresh UUID, or the value already present, as KrakenD keeps it).

import { randomUUID } from 'node:crypto';
import { RE2JS } from 're2js';
import { applyScope, checkKeys, fail, headerName, headerValue, optString, ptr, reqString, strings } from './compile-fields.js';
import { buildFilter } from './filter.js';
import { addHeader, allHeader, delHeader, getHeader, mapGet, setHeader } from './headers.js';
import { urlString } from './go-url.js';
import type { ModifierFactory, ModifierImpl } from './types.js';

const noop = (): undefined => undefined;

const modifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['name', 'value', 'scope']);
  const n = headerName(reqString(cfg, 'name', at, name), ptr(at, 'name'));
  const v = headerValue(optString(cfg, 'value', at), ptr(at, 'value'));
  const op = name === 'header.Append' ? addHeader : setHeader;
  return applyScope({ request: (req) => op(req, n, v), response: (res) => op(res, n, v) }, cfg, at, name);
};

const blacklist: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['names', 'scope']);
  const names = strings(cfg, 'names', at, name).map((s, i) => headerName(s, ptr(ptr(at, 'names'), i), true));
  const impl: ModifierImpl = {
    request: (req) => {
      for (const n of names) delHeader(req, n);
      return undefined;
    },
    response: (res) => {
      for (const n of names) delHeader(res, n);
      return undefined;
    },
  };
  return applyScope(impl, cfg, at, name);
};

const copy: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['from', 'to', 'scope']);
  const from = headerName(reqString(cfg, 'from', at, name), ptr(at, 'from'), true);
  const to = headerName(reqString(cfg, 'to', at, name), ptr(at, 'to'));
  // Go sets `to` even when `from` is absent (an empty value), and so does Rampart.
  return applyScope(
    {
      request: (req) => setHeader(req, to, getHeader(req, from)),
      response: (res) => setHeader(res, to, getHeader(res, from)),
    },
    cfg,
    at,
    name,
  );
};

const id: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['header', 'scope']);
  const raw = optString(cfg, 'header', at);
  const h = headerName(raw === '' ? 'X-Krakend-Id' : raw, ptr(at, 'header'));
  if (h === 'host') fail(ptr(at, 'header'), 'header.Id cannot write Host');
  return applyScope(
    {
      request: (req) => {
        if (mapGet(req.headers, h) !== '') return undefined; // KrakenD keeps an existing id.
        req.headers.set(h, [randomUUID()]);
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

const filter: ModifierFactory = (cfg, at, name, child) => {
  const n = headerName(reqString(cfg, 'name', at, name), ptr(at, 'name'), true);
  const v = optString(cfg, 'value', at);
  // Go's header.Matcher: some value equals `value` exactly ('' matches only an empty value).
  const matches = (vs: string[] | undefined): boolean => vs !== undefined && vs.includes(v);
  return buildFilter(cfg, at, name, child, ['name', 'value'], {
    request: (req) => matches(allHeader(req, n)),
    response: (res) => matches(allHeader(res, n)),
  });
};

/** Go's regexp syntax is RE2; re2js matches it in linear time, so no pattern can ReDoS. */
export function compileRegex(pattern: string, at: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    return fail(at, `invalid regular expression (RE2 syntax): ${(err as Error)?.message ?? 'syntax error'}`);
  }
}

const regexFilter: ModifierFactory = (cfg, at, name, child) => {
  checkKeys(cfg, at, name, ['header', 'regex', 'modifier', 'scope']);
  if (cfg.else !== undefined) fail(ptr(at, 'else'), `${name} has no "else" (KrakenD ignores it silently)`);
  const h = headerName(reqString(cfg, 'header', at, name), ptr(at, 'header'), true);
  const re = compileRegex(reqString(cfg, 'regex', at, name), ptr(at, 'regex'));
  if (cfg.modifier === undefined) fail(at, `${name} needs "modifier"`);
  const inner = child(cfg.modifier, ptr(at, 'modifier'));
  const tq = inner.request;
  const ts = inner.response;
  // Go reads the request's header in both phases (res.Request.Header), first value only,
  // and an absent or empty header never matches.
  const hit = (v: string): boolean => v !== '' && re.matcher(v).find();
  return applyScope(
    {
      request: (req) => (tq && hit(mapGet(req.headers, h)) ? tq(req) : undefined),
      response: (res, req) => (ts && hit(mapGet(req.headers, h)) ? ts(res, req) : undefined),
    },
    cfg,
    at,
    name,
  );
};

/** Martian verifiers only collect failures for martian's own API, which KrakenD never reads. */
const verifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['name', 'value', 'scope']);
  headerName(reqString(cfg, 'name', at, name), ptr(at, 'name'), true);
  optString(cfg, 'value', at);
  return applyScope({ request: noop, response: noop }, cfg, at, name);
};

const stash: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['headerName', 'scope']);
  const h = headerName(reqString(cfg, 'headerName', at, name), ptr(at, 'headerName'));
  if (h === 'host') fail(ptr(at, 'headerName'), 'stash.Modifier cannot write Host');
  const out = applyScope(
    {
      request: (req) => {
        req.headers.set(h, [urlString(req.url)]);
        return undefined;
      },
      response: (res, req) => {
        res.headers.set(h, [mapGet(req.headers, h)]);
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
  if (out.response && !out.request) fail(ptr(at, 'scope'), 'to write header on a response, specify scope as both request and response');
  return out;
};

export const HEADER_MODIFIERS: ReadonlyArray<[string, ModifierFactory]> = [
  ['header.Modifier', modifier],
  ['header.Append', modifier],
  ['header.Blacklist', blacklist],
  ['header.Copy', copy],
  ['header.Id', id],
  ['header.Filter', filter],
  ['header.RegexFilter', regexFilter],
  ['header.Verifier', verifier],
  ['stash.Modifier', stash],
];
