// The route table, built once with find-my-way. Only declared endpoint+method pairs exist; the
// gateway's own routes (health, debug, echo) are added explicitly. Misses are resolved here into
// 404, 405 or gin's trailing-slash / fixed-path redirects (KrakenD defaults), in that order.
import FindMyWay from 'find-my-way';
import type { RouterOptions } from '../config/types.js';

export type RouteHandler = (params: Record<string, string>) => unknown;

export interface Route<T> {
  value: T;
  /** Declared path, e.g. /users/{id}. */
  path: string;
}

export type Miss =
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'redirect'; status: 301 | 307; location: string }
  | { kind: 'options'; allow: string[] };

export interface Match<T> {
  value: T;
  params: Record<string, string>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function toFmw(path: string): string {
  // {name} -> :name; find-my-way treats ':' and '*' specially elsewhere, and the config
  // validator already refused '*' and non-segment placeholders.
  return path.replace(/\{([a-zA-Z0-9_-]+)\}/g, ':$1').replace(/::/g, '::::');
}

function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/') + (p.endsWith('/') && out.length ? '/' : '');
}

/**
 * A redirect target that can only be read as a path on this origin: a `\`, spaces and control
 * characters (browsers read `\` as `/` and drop tabs) are percent-encoded, and leading slashes
 * collapse to one, so `//evil.example/x` or `/\evil.example/x` can never become a scheme-relative
 * URL (issue #14).
 */
export function sameOriginLocation(location: string): string {
  // Browsers also drop tabs and newlines from URLs (`/\t/evil.example` is `//evil.example`).

  let out = location.replace(/[\\\x00-\x20\x7f]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  if (out.charCodeAt(1) === 47 /* / */) out = '/' + out.replace(/^\/+/, '');
  return out;
}

// find-my-way's typings list only the methods it knows; at run time it looks any string up (an
// unknown method finds no route), which is what a request's method may be.
type Method = FindMyWay.HTTPMethod;

export class RouteTable<T> {
  // exposeHeadRoutes off: HEAD is not GET; only declared method+path pairs exist.
  private readonly exact: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  private readonly folded: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  private readonly byPath = new Map<string, Set<string>>();

  constructor(
    private readonly opts: Pick<RouterOptions, 'redirectTrailingSlash' | 'redirectFixedPath' | 'handleMethodNotAllowed' | 'autoOptions' | 'removeExtraSlash'>,
  ) {
    const common = { maxParamLength: 1024, exposeHeadRoutes: false, ignoreDuplicateSlashes: opts.removeExtraSlash };
    this.exact = FindMyWay({ ...common, caseSensitive: true });
    this.folded = FindMyWay({ ...common, caseSensitive: false });
  }

  add(method: string, path: string, value: T): void {
    const p = toFmw(path);
    const store: Route<T> = { value, path };
    this.exact.on(method as Method, p, () => undefined, store);
    this.folded.on(method as Method, p, () => undefined, store);
    let set = this.byPath.get(p);
    if (!set) this.byPath.set(p, (set = new Set()));
    set.add(method);
  }

  /** Adds a route answering any method (debug/echo). */
  addAll(path: string, value: T): void {
    for (const m of METHODS) this.add(m, path, value);
  }

  find(method: string, path: string): Match<T> | undefined {
    const m = this.exact.find(method as Method, path);
    if (!m) return undefined;
    const params = m.params as Record<string, string>;
    // gin never matches a placeholder to an empty segment.
    for (const k in params) if (params[k] === '' && k !== '*') return undefined;
    return { value: (m.store as Route<T>).value, params };
  }

  private allowed(path: string): string[] {
    const out: string[] = [];
    for (const m of METHODS) if (this.find(m, path)) out.push(m);
    return out;
  }

  /** What to answer when find() failed. */
  miss(method: string, path: string, rawQuery: string): Miss {
    const status = method === 'GET' ? 301 : 307;
    const q = rawQuery ? '?' + rawQuery : '';
    const allow = this.allowed(path);
    if (allow.length > 0) {
      if (method === 'OPTIONS' && this.opts.autoOptions) return { kind: 'options', allow };
      if (this.opts.handleMethodNotAllowed) return { kind: 'method-not-allowed', allow };
      return { kind: 'not-found' };
    }
    if (this.opts.redirectTrailingSlash && path.length > 1) {
      const alt = path.endsWith('/') ? path.slice(0, -1) : path + '/';
      if (this.find(method, alt)) return { kind: 'redirect', status, location: sameOriginLocation(alt) + q };
    }
    if (this.opts.redirectFixedPath) {
      const cleaned = cleanPath(path);
      for (const candidate of [cleaned, cleaned.endsWith('/') ? cleaned.slice(0, -1) : cleaned + '/']) {
        const m = this.folded.find(method as Method, candidate);
        if (!m) continue;
        const params = m.params as Record<string, string>;
        if (Object.values(params).some((v) => v === '')) continue;
        const route = m.store as Route<T>;
        // Canonical path: the declared spelling with the request's parameter values.
        const location = route.path.replace(/\{([a-zA-Z0-9_-]+)\}/g, (_, n: string) => encodeURIComponent(params[n]));
        if (location !== path) return { kind: 'redirect', status, location: sameOriginLocation(location) + q };
      }
    }
    return { kind: 'not-found' };
  }
}
