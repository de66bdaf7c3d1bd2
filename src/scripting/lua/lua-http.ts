// `http_response.new` on the host side: only origins declared at compile time, one timeout for
// the whole exchange, redirects never followed (a 3xx reaches the script as it is), the body
// read up to a cap. KrakenD uses Go's DefaultClient here (any host, redirects): an SSRF primitive.
//
// One undici Pool per declared origin (made on first use), driven through its dispatch API:
// undici's `request()` lives in its index, which loads every dispatcher, fetch and the cache and
// mock layers (~40 ms of a loaded start); the Pool module is already loaded for the backends.
import type { Dispatcher } from 'undici';
import UndiciPool from 'undici/lib/dispatcher/pool.js';
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
  const pools = new Map<string, Dispatcher>();
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
    const u = new URL(url);
    let pool = pools.get(origin);
    if (pool === undefined) pools.set(origin, (pool = new UndiciPool(origin)));
    try {
      const res = await exchange(
        pool,
        { method: method as Dispatcher.HttpMethod, path: u.pathname + u.search, headers: Object.entries(headers).flat(), body },
        opts,
      );
      const out: Record<string, string[]> = {};
      for (let i = 0; i < res.headers.length; i += 2) (out[canonical(res.headers[i])] ??= []).push(res.headers[i + 1]);
      return { status: res.status, headers: out, body: res.body };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
}

interface Answer {
  status: number;
  /** Flat [name, value, ...], names as undici gives them (lower case). */
  headers: string[];
  body: string;
}

/** One exchange, bounded by `opts.timeoutMs` as a whole and by `opts.maxBodyBytes`; rejects with
 * the message the script sees ("timeout", "response body too large", "request failed"). */
function exchange(pool: Dispatcher, o: Dispatcher.DispatchOptions, opts: LuaHttpOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let abort: ((err: Error) => void) | null = null;
    let done = false;
    let status = 0;
    let headers: string[] = [];
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
    };
    const fail = (message: string): void => {
      const err = new Error(message);
      // Settled first: aborting makes undici call onError at once, whose message is not this one.
      finish(err);
      if (abort) abort(err);
    };
    const timer = setTimeout(() => fail('timeout'), opts.timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onConnect(a) {
        if (done) a(new Error('aborted'));
        else abort = a;
      },
      onHeaders(code, raw) {
        if (code < 200) return true;
        status = code;
        headers = new Array<string>(raw.length);
        for (let i = 0; i < raw.length; i += 2) {
          headers[i] = raw[i].toString('latin1').toLowerCase();
          headers[i + 1] = raw[i + 1].toString('latin1');
        }
        return true;
      },
      onData(chunk) {
        size += chunk.length;
        if (size > opts.maxBodyBytes) {
          fail('response body too large');
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        finish(null);
      },
      onError() {
        finish(new Error('request failed'));
      },
    };
    try {
      pool.dispatch(o, handler);
    } catch {
      finish(new Error('request failed'));
    }
  });
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
