// `qos/http-cache` runtime: an RFC 9111 shared cache of one backend's HTTP answers, at the HTTP
// call (the innermost backend hooks, as KrakenD's cached http.Client under the martian
// modifiers). Freshness, Vary, validators and the storability rules come from
// http-cache-semantics (shared-cache mode whatever `shared` says: every client of the gateway
// reads it); the store is an LRU bounded by items and bytes (store.ts). Per process: workers and
// nodes each hold their own. Stricter than the RFC where a gateway must be:
// - a response carrying Set-Cookie is never stored (a cookie is one client's);
// - a request that carries an identity (Authorization, Cookie, a validated JWT, headers the
//   gateway propagated from claims or certificates) is stored only when the answer says
//   `public` or `s-maxage`, under a key of its own (never served to anonymous requests, and
//   anonymous answers are never served to it);
// - only GET and HEAD without a body are cached; any other method that succeeds drops the URL's
//   entries (RFC 9111 §4.4).
import CachePolicy from 'http-cache-semantics';
import { GatewayError } from '../../../core/gateway-error.js';
import { errorResult, type CallInput, type UpstreamRequest, type UpstreamResponse } from '../../../core/backend-result.js';
import { discardBody } from '../../../proxy/read-body.js';
import { backendEnv, type BuildEnv, type Stage } from '../../types.js';
import type { HttpCacheConfig } from './schema.js';
import { createStore, DEFAULT_MAX_ITEMS, DEFAULT_MAX_SIZE, type CacheEntry, type HttpCacheStore } from './store.js';
import { explicitlyShared, flatHeaders, hasHeader, headersObject, headerValues } from './http-shapes.js';

const SHARED_STORE = 'qos/http-cache:shared';
const MISMATCH = new GatewayError('backend.failed', 'backend answered 304 to a revalidation that matches no cached answer');

interface Pending {
  readonly key: string;
  readonly url: string;
  readonly hreq: CachePolicy.Request;
  readonly authenticated: boolean;
  /** Set when this request revalidates a stale entry. */
  readonly stale: CacheEntry | undefined;
}

/** Whether the backend request carries someone's identity. */
function carriesIdentity(up: UpstreamRequest, input: CallInput): boolean {
  const ctx = input.ctx;
  if (ctx.claims !== undefined || (ctx.upstreamHeaders !== undefined && ctx.upstreamHeaders.length > 0)) return true;
  return hasHeader(up.headers, 'authorization') || hasHeader(up.headers, 'cookie') || hasHeader(up.headers, 'proxy-authorization');
}

function keyOf(authenticated: boolean, method: string, url: string): string {
  return `${authenticated ? 'a' : 'n'} ${method} ${url}`;
}

export function build(cfg: HttpCacheConfig, env: BuildEnv): Stage {
  backendEnv(env);
  const maxItems = cfg.max_items ?? DEFAULT_MAX_ITEMS;
  const maxSize = cfg.max_size ?? DEFAULT_MAX_SIZE;
  // KrakenD: every `shared` backend uses one store, sized by the first one built.
  const store: HttpCacheStore = cfg.shared === true ? env.shared.get(SHARED_STORE, () => createStore(maxItems, maxSize)) : createStore(maxItems, maxSize);
  const pending = new WeakMap<UpstreamRequest, Pending | { invalidate: string }>();
  const served = new WeakSet<UpstreamResponse>();

  function answer(entry: CacheEntry, headers: CachePolicy.Headers): UpstreamResponse {
    const res: UpstreamResponse = { status: entry.status, headers: flatHeaders(headers), body: entry.body, url: entry.url };
    served.add(res);
    return res;
  }

  function remember(p: Pending, status: number, policy: CachePolicy, body: Buffer): void {
    const h = policy.responseHeaders();
    const validator = h.etag !== undefined || h['last-modified'] !== undefined;
    const ttl = policy.timeToLive();
    if (ttl <= 0 && !validator) return store.delete(p.key);
    store.set(p.key, { policy, body, url: p.url, status }, ttl, validator);
  }

  return {
    onUpstreamRequest(up, input) {
      const url = up.origin + up.path;
      if (up.method !== 'GET' && up.method !== 'HEAD') {
        pending.set(up, { invalidate: url });
        return up;
      }
      if (up.body !== null && up.body.length > 0) return up; // a body is not part of the key
      const authenticated = carriesIdentity(up, input);
      const key = keyOf(authenticated, up.method, url);
      const hreq: CachePolicy.Request = { method: up.method, url, headers: headersObject(up.headers, up.origin) };
      const entry = store.get(key);
      if (entry !== undefined) {
        const ev = entry.policy.evaluateRequest(hreq);
        if (ev.response !== undefined && ev.revalidation === undefined) return answer(entry, ev.response.headers);
        // Stale (stale-while-revalidate included: revalidated before answering). A conditional
        // request when the entry has a validator the client's own request did not carry.
        const h = ev.revalidation?.headers;
        if (h !== undefined && (h['if-none-match'] !== hreq.headers['if-none-match'] || h['if-modified-since'] !== hreq.headers['if-modified-since'])) {
          const cond: UpstreamRequest = { ...up, headers: flatHeaders(h) };
          pending.set(cond, { key, url, hreq, authenticated, stale: entry });
          return cond;
        }
      }
      pending.set(up, { key, url, hreq, authenticated, stale: undefined });
      return up;
    },

    onUpstreamResponse(res, req) {
      if (served.has(res)) return res;
      const p = pending.get(req);
      if (p === undefined) return res;
      pending.delete(req);
      if ('invalidate' in p) {
        if (res.status < 400) for (const k of ['a GET ', 'a HEAD ', 'n GET ', 'n HEAD ']) store.delete(k + p.invalidate);
        return res;
      }
      const cookies = headerValues(res.headers, 'set-cookie');
      const hres: CachePolicy.Response = { status: res.status, headers: headersObject(res.headers) };
      if (p.stale !== undefined && res.status === 304) {
        discardBody(res.body);
        const { policy, modified } = p.stale.policy.revalidatedPolicy(p.hreq, hres);
        if (modified) {
          store.delete(p.key);
          return errorResult(MISMATCH);
        }
        if (cookies.length > 0) store.delete(p.key);
        else remember(p, p.stale.status, policy, p.stale.body);
        const out = answer({ ...p.stale, policy }, policy.responseHeaders());
        // The 304's own cookies are this client's: passed on, never stored.
        for (const c of cookies) out.headers.push('set-cookie', c);
        return out;
      }
      if (!Buffer.isBuffer(res.body) || cookies.length > 0) {
        store.delete(p.key);
        return res;
      }
      const policy = new CachePolicy(p.hreq, hres, { shared: true });
      if (!policy.storable() || (p.authenticated && !explicitlyShared(res.headers)) || headerValues(res.headers, 'vary').some((v) => v.includes('*'))) {
        store.delete(p.key);
        return res;
      }
      remember(p, res.status, policy, res.body);
      return res;
    },
  };
}
