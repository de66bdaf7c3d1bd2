// url.*, querystring.*, port.* and method.Filter (google/martian martianurl/, querystring/,
// port/ at 25dcb96; method.Filter from martian v3). The URL is the one about to be sent, built
// by the pipeline from host + url_pattern + the filtered query string.

import { applyScope, checkKeys, fail, optBool, optInt, optString, ptr, reqString } from './compile-fields.js';
import { buildFilter } from './filter.js';
import { compileRegex } from './compile-header.js';
import { atoi, encodeQuery, escapePath, joinHostPort, matchHost, parseQuery, splitHostPort, unescape, urlString } from './go-url.js';
import type { MartianUrl, ModifierFactory, MutableRequest, StepResult } from './types.js';

const noop = (): undefined => undefined;
const URL_KEYS = ['scheme', 'host', 'path', 'query'] as const;

function urlParts(cfg: Record<string, unknown>, at: string): MartianUrl {
  const [scheme, host, path, query] = URL_KEYS.map((k) => optString(cfg, k, at));
  if (/[\x00-\x1f\x7f]/.test(scheme + host + path + query)) fail(at, 'URL parts may not contain control characters');
  // The path is escaped when set; a raw query or host is sent as written, so no spaces there.
  if (/\s/.test(scheme + host + query)) fail(at, 'scheme, host and query may not contain spaces (escape them in the query)');
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https') fail(ptr(at, 'scheme'), `scheme must be "http" or "https", got "${scheme}"`);
  if (/[/?#@]/.test(host)) fail(ptr(at, 'host'), 'host is host[:port], without path, query or credentials');
  return { scheme, host, path, query };
}

const urlModifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, [...URL_KEYS, 'scope']);
  const u = urlParts(cfg, at);
  const path = u.path === '' ? '' : escapePath(u.path);
  return applyScope(
    {
      request: (req) => {
        if (u.scheme !== '') req.url.scheme = u.scheme;
        if (u.host !== '') req.url.host = u.host;
        if (path !== '') req.url.path = path;
        if (u.query !== '') req.url.query = u.query;
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

/** Go compares the decoded path (URL.Path) with the configured one. */
function decodedPath(p: string): string {
  return unescape(p, false) ?? p;
}

function urlMatches(m: MartianUrl, u: MartianUrl): boolean {
  if (m.scheme !== '' && m.scheme !== u.scheme) return false;
  if (m.host !== '' && !matchHost(u.host, m.host)) return false;
  if (m.path !== '' && m.path !== decodedPath(u.path)) return false;
  if (m.query !== '' && m.query !== u.query) return false;
  return true;
}

const urlFilter: ModifierFactory = (cfg, at, name, child) => {
  const m = urlParts(cfg, at);
  return buildFilter(cfg, at, name, child, URL_KEYS, {
    request: (req) => urlMatches(m, req.url),
    response: (_res, req) => urlMatches(m, req.url),
  });
};

const urlRegexFilter: ModifierFactory = (cfg, at, name, child) => {
  const re = compileRegex(reqString(cfg, 'regex', at, name), ptr(at, 'regex'));
  // Go matches URL.String(): scheme, host, path and query (the docs' "without query" is wrong).
  const hit = (req: MutableRequest): boolean => re.matcher(urlString(req.url)).find();
  return buildFilter(cfg, at, name, child, ['regex'], { request: hit, response: (_res, req) => hit(req) });
};

const urlVerifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, [...URL_KEYS, 'scope']);
  urlParts(cfg, at);
  return applyScope({ request: noop }, cfg, at, name);
};

const queryModifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['name', 'value', 'scope']);
  const key = reqString(cfg, 'name', at, name);
  const value = optString(cfg, 'value', at);
  // Go: Query().Set(name, value) then Encode(), which re-sorts every key and drops bad pairs.
  return applyScope(
    {
      request: (req) => {
        const q = parseQuery(req.url.query);
        q.set(key, [value]);
        req.url.query = encodeQuery(q);
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

const queryFilter: ModifierFactory = (cfg, at, name, child) => {
  const key = reqString(cfg, 'name', at, name);
  const value = optString(cfg, 'value', at);
  // Go's querystring.Matcher: the key present and, when `value` is set, one value equal to it.
  const hit = (req: MutableRequest): boolean => {
    const vs = parseQuery(req.url.query).get(key);
    return vs !== undefined && (value === '' || vs.includes(value));
  };
  return buildFilter(cfg, at, name, child, ['name', 'value'], { request: hit, response: (_res, req) => hit(req) });
};

const queryVerifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['name', 'value', 'scope']);
  if (reqString(cfg, 'name', at, name) === '') fail(ptr(at, 'name'), 'querystring.Verifier: must provide a non-empty key');
  optString(cfg, 'value', at);
  return applyScope({ request: noop }, cfg, at, name);
};

function defaultPort(scheme: string): number {
  return scheme === 'http' ? 80 : scheme === 'https' ? 443 : 0;
}

const portModifier: ModifierFactory = (cfg, at, name) => {
  checkKeys(cfg, at, name, ['port', 'defaultForScheme', 'remove', 'scope']);
  const port = optInt(cfg, 'port', at, 0, 65535);
  const dflt = optBool(cfg, 'defaultForScheme', at);
  const remove = optBool(cfg, 'remove', at);
  if (Number(port !== 0) + Number(dflt) + Number(remove) !== 1) fail(at, 'Must specify only one of port, defaultForScheme or remove');
  // Only the URL changes: Go's client ignores the Host header martian sets in the map, so the
  // Host sent stays the backend's (KrakenD's observable behaviour).
  return applyScope(
    {
      request: (req): StepResult => {
        let host = req.url.host;
        if (host.includes(':')) {
          const hp = splitHostPort(host);
          if (typeof hp === 'string') return hp;
          host = hp[0];
        }
        if (remove) req.url.host = host;
        else if (dflt) {
          const p = defaultPort(req.url.scheme);
          if (p !== 0) req.url.host = joinHostPort(host, String(p));
        } else req.url.host = joinHostPort(host, String(port));
        return undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

const portFilter: ModifierFactory = (cfg, at, name, child) => {
  checkKeys(cfg, at, name, ['port', 'modifier', 'scope']);
  const port = optInt(cfg, 'port', at, 0, 65535);
  if (cfg.modifier === undefined) fail(at, `${name} needs "modifier"`);
  const inner = child(cfg.modifier, ptr(at, 'modifier'));
  // Go's port.Filter, including its errors on a host it cannot split (no "else" in Go).
  const check = (u: MartianUrl, responsePhase: boolean): boolean | string => {
    if (!u.host.includes(':')) {
      if (port === defaultPort(u.scheme)) return true;
      if (!responsePhase) return false;
    }
    const hp = splitHostPort(u.host);
    if (typeof hp === 'string') return hp;
    const p = atoi(hp[1]);
    return typeof p === 'string' ? p : p === port;
  };
  const tq = inner.request;
  const ts = inner.response;
  return applyScope(
    {
      request: (req) => {
        const ok = check(req.url, false);
        if (typeof ok === 'string') return ok;
        return ok && tq ? tq(req) : undefined;
      },
      response: (res, req) => {
        const ok = check(req.url, true);
        if (typeof ok === 'string') return ok;
        return ok && ts ? ts(res, req) : undefined;
      },
    },
    cfg,
    at,
    name,
  );
};

const methodFilter: ModifierFactory = (cfg, at, name, child) => {
  const method = reqString(cfg, 'method', at, name).toUpperCase();
  // strings.EqualFold against the request method (methods are upper-cased by the adapter).
  const hit = (req: MutableRequest): boolean => req.method.toUpperCase() === method;
  return buildFilter(cfg, at, name, child, ['method'], { request: hit, response: (_res, req) => hit(req) });
};

export const URL_MODIFIERS: ReadonlyArray<[string, ModifierFactory]> = [
  ['url.Modifier', urlModifier],
  ['url.Filter', urlFilter],
  ['url.RegexFilter', urlRegexFilter],
  ['url.Verifier', urlVerifier],
  ['querystring.Modifier', queryModifier],
  ['querystring.Filter', queryFilter],
  ['querystring.Verifier', queryVerifier],
  ['port.Modifier', portModifier],
  ['port.Filter', portFilter],
  ['method.Filter', methodFilter],
];
