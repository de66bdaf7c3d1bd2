// Conversions between the pipeline's backend request/response and the martian models, so the
// adapter is a few lines. Framing headers never cross: content-length and transfer-encoding
// are dropped on the way in and recomputed by the HTTP client from the body on the way out.

import type { HeaderMap, MutableRequest, MutableResponse } from './types.js';

type HeaderInput = Iterable<[string, string | readonly string[] | undefined]> | Record<string, string | readonly string[] | undefined>;

const FRAMING = new Set(['content-length', 'transfer-encoding', 'host']);

function toMap(h: HeaderInput): HeaderMap {
  const m: HeaderMap = new Map();
  const entries = Symbol.iterator in h ? (h as Iterable<[string, string | readonly string[] | undefined]>) : Object.entries(h);
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    const n = k.toLowerCase();
    if (FRAMING.has(n)) continue;
    const vs = typeof v === 'string' ? [v] : [...v];
    const prev = m.get(n);
    if (prev) prev.push(...vs);
    else m.set(n, vs);
  }
  return m;
}

/**
 * The backend request about to be sent (after the pipeline's header and query filtering).
 * `host` is the Host header the pipeline would send; default: the URL's host.
 */
export function toMutableRequest(method: string, url: string | URL, headers: HeaderInput, body: Buffer | null, host?: string): MutableRequest {
  const u = typeof url === 'string' ? new URL(url) : url;
  return {
    method: method.toUpperCase(),
    url: { scheme: u.protocol.replace(/:$/, ''), host: u.host, path: u.pathname || '/', query: u.search.replace(/^\?/, '') },
    host: host ?? u.host,
    headers: toMap(headers),
    body,
    skipRoundTrip: false,
  };
}

/**
 * What to send: the absolute URL to connect to, the Host header (an emptied Host falls back to
 * the URL's, as Go's client does), the other headers and the body.
 */
export function requestToSend(req: MutableRequest): { method: string; url: string; host: string; headers: Record<string, string[]>; body: Buffer | null } {
  const u = req.url;
  const headers: Record<string, string[]> = Object.create(null);
  for (const [k, v] of req.headers) headers[k] = [...v];
  return {
    method: req.method,
    url: `${u.scheme}://${u.host}${u.path}${u.query !== '' ? '?' + u.query : ''}`,
    host: req.host !== '' ? req.host : u.host,
    headers,
    body: req.body,
  };
}

export function toMutableResponse(status: number, headers: HeaderInput, body: Buffer | null): MutableResponse {
  return { status, headers: toMap(headers), body };
}

export function responseHeaders(res: MutableResponse): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const [k, v] of res.headers) out[k] = [...v];
  return out;
}
