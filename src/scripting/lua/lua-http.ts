// `http_response.new` on the host side: only origins declared at compile time, one timeout for
// the whole exchange, redirects never followed (a 3xx reaches the script as it is), the body
// read up to a cap. KrakenD uses Go's DefaultClient here (any host, redirects): an SSRF primitive.
import { request } from 'undici';
import type { LuaHttpOptions } from './types.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function originOf(u: string): string | undefined {
  try {
    const url = new URL(u);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** Normalises the allow-list once (startup); an entry that is not an http(s) origin is an error. */
export function compileAllowedOrigins(hosts: string[]): Set<string> {
  const out = new Set<string>();
  for (const h of hosts) {
    const o = originOf(h);
    if (!o) throw new Error(`http_response allow-list entry "${h}" is not an http(s) URL`);
    out.add(o);
  }
  return out;
}

export function makeHttpPerformer(allowed: Set<string>, opts: LuaHttpOptions) {
  return async (req: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const url = typeof req.url === 'string' ? req.url : '';
    const origin = originOf(url);
    if (!origin || !allowed.has(origin)) return { error: 'host not allowed' };
    const method = typeof req.method === 'string' ? req.method.toUpperCase() : 'GET';
    if (!METHODS.has(method)) return { error: 'method not allowed' };
    const headers: Record<string, string> = { 'user-agent': 'Rampart' };
    if (req.headers && typeof req.headers === 'object') {
      for (const [k, v] of Object.entries(req.headers as Record<string, unknown>)) {
        if (typeof v === 'string' && !/[\r\n]/.test(v)) headers[k.toLowerCase()] = v;
      }
    }
    const body = typeof req.body === 'string' && req.body !== '' && method !== 'GET' && method !== 'HEAD' ? req.body : undefined;
    const signal = AbortSignal.timeout(opts.timeoutMs);
    try {
      const res = await request(url, { method: method as 'GET', headers, body, signal });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > opts.maxBodyBytes) {
          res.body.destroy();
          return { error: 'response body too large' };
        }
        chunks.push(chunk as Buffer);
      }
      const out: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        out[canonical(k)] = Array.isArray(v) ? v : [v];
      }
      return { status: res.statusCode, headers: out, body: Buffer.concat(chunks).toString('utf8') };
    } catch {
      return { error: signal.aborted ? 'timeout' : 'request failed' };
    }
  };
}

// Header names repeat from request to request: a bounded memo (cleared when full, so names a
// client invents cannot grow it) saves the regex work on every call.
const CANON_MAX = 512;
const canonMemo = new Map<string, string>();

/** Go's textproto.CanonicalMIMEHeaderKey for token names. */
export function canonical(k: string): string {
  const hit = canonMemo.get(k);
  if (hit !== undefined) return hit;
  const out = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(k) ? k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()) : k;
  if (canonMemo.size >= CANON_MAX) canonMemo.clear();
  canonMemo.set(k, out);
  return out;
}
