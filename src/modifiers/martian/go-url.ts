// Go net/url and net behaviour the martian modifiers depend on, so a filter matches and a
// modifier rewrites exactly what KrakenD's would.

import type { MartianUrl } from './types.js';

/** url.URL.String() for an absolute URL whose path is already escaped. */
export function urlString(u: MartianUrl): string {
  let path = u.path;
  if (path !== '' && path[0] !== '/' && u.host !== '') path = '/' + path;
  return `${u.scheme}://${u.host}${path}${u.query !== '' ? '?' + u.query : ''}`;
}

function unhex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** url.QueryUnescape / PathUnescape: undefined on a bad escape (Go returns an error). */
export function unescape(s: string, plusIsSpace: boolean): string | undefined {
  if (!s.includes('%') && !(plusIsSpace && s.includes('+'))) return s;
  const out: number[] = [];
  const b = Buffer.from(s, 'utf8');
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 37) {
      const h = i + 2 < b.length ? unhex(b[i + 1]) : -1;
      const l = i + 2 < b.length ? unhex(b[i + 2]) : -1;
      if (h < 0 || l < 0) return undefined;
      out.push(h * 16 + l);
      i += 2;
    } else if (c === 43 && plusIsSpace) out.push(32);
    else out.push(c);
  }
  return Buffer.from(out).toString('utf8');
}

const HEX = '0123456789ABCDEF';

function escapeWith(s: string, keep: (c: number) => boolean, plusForSpace: boolean): string {
  let out = '';
  for (const c of Buffer.from(s, 'utf8')) {
    if (keep(c)) out += String.fromCharCode(c);
    else if (c === 32 && plusForSpace) out += '+';
    else out += '%' + HEX[c >> 4] + HEX[c & 15];
  }
  return out;
}

function unreserved(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 95 || c === 126;
}

const PLAIN = /^[A-Za-z0-9\-_.~]*$/;

/** url.QueryEscape (hot path: most names and values need no escaping at all). */
export function queryEscape(s: string): string {
  if (PLAIN.test(s)) return s;
  try {
    // encodeURIComponent keeps !'()* that Go escapes, and writes a space as %20, not +.
    return encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
      .replace(/%20/g, '+');
  } catch {
    return escapeWith(s, unreserved, true); // lone surrogates: byte by byte, as Go sees them
  }
}

/** URL.EscapedPath() of a path set from config (Go's shouldEscape for encodePath). */
export function escapePath(s: string): string {
  return escapeWith(s, (c) => unreserved(c) || '$&+,/:;=@'.includes(String.fromCharCode(c)), false);
}

/** url.ParseQuery as URL.Query() uses it: bad pairs (a `;`, a bad escape) are dropped. */
export function parseQuery(raw: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  if (raw === '') return m;
  for (const part of raw.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const k = unescape(eq < 0 ? part : part.slice(0, eq), true);
    const v = unescape(eq < 0 ? '' : part.slice(eq + 1), true);
    if (k === undefined || v === undefined) continue;
    const vs = m.get(k);
    if (vs) vs.push(v);
    else m.set(k, [v]);
  }
  return m;
}

const HIGH = /[\ud800-\uffff]/;

/** url.Values.Encode(): keys sorted bytewise, values in order. */
export function encodeQuery(m: Map<string, string[]>): string {
  const keys = [...m.keys()];
  // JS sorts by UTF-16 units, which is UTF-8 byte order unless a key has surrogates or U+E000+.
  if (keys.some((k) => HIGH.test(k))) keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  else keys.sort();
  const out: string[] = [];
  for (const k of keys) for (const v of m.get(k) ?? []) out.push(queryEscape(k) + '=' + queryEscape(v));
  return out.join('&');
}

/** martianurl.MatchHost: exact, or `*` standing for one or more leading labels. */
export function matchHost(host: string, match: string): boolean {
  if (host === '') return false;
  if (host === match) return true;
  let hi = host.length - 1;
  for (let mi = match.length - 1; mi >= 0; mi--) {
    if (match[mi] === '*') {
      while (hi > 0 && host[hi] !== '.') hi--;
      if (mi === 0 && hi === 0) return true;
      continue;
    }
    if (host[hi] !== match[mi]) return false;
    if (hi === 0) return mi === 0;
    hi--;
  }
  return false;
}

/** net.SplitHostPort: [host, port] or Go's error text. */
export function splitHostPort(hostport: string): [string, string] | string {
  const missing = `address ${hostport}: missing port in address`;
  const last = hostport.lastIndexOf(':');
  if (last < 0) return missing;
  let host: string;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0) return `address ${hostport}: missing ']' in address`;
    if (end + 1 === hostport.length) return missing;
    if (end + 1 !== last) return hostport[end + 1] === ':' ? `address ${hostport}: too many colons in address` : missing;
    host = hostport.slice(1, end);
    if (host.includes('[') || host.includes(']')) return `address ${hostport}: unexpected '[' in address`;
  } else {
    host = hostport.slice(0, last);
    if (host.includes(':')) return `address ${hostport}: too many colons in address`;
    if (host.includes('[') || host.includes(']')) return `address ${hostport}: unexpected '[' in address`;
  }
  const port = hostport.slice(last + 1);
  if (port.includes('[') || port.includes(']')) return `address ${hostport}: unexpected ']' in address`;
  return [host, port];
}

export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** strconv.Atoi for a port: digits with an optional sign, else Go's error text. */
export function atoi(s: string): number | string {
  if (!/^[+-]?[0-9]{1,18}$/.test(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  return Number(s);
}
