// `security/cors`: pre-flights answered by the gateway (OPTIONS is never a declared endpoint
// method), CORS headers on actual requests, `Vary: Origin` always. Behaviour of rs/cors v1.11 as
// used by KrakenD CE (docs/reference/traffic-and-http-security.md §5). Everything is compiled here; an actual
// request costs one header push when it carries no Origin.
// Deviations (README): "*" with allow_credentials and a "null" origin are refused at startup;
// the gateway's CORS answer overrides any Access-Control-* header a backend sends, so a
// disallowed origin never gets CORS headers. Pre-flights are answered by the guard; CORS headers
// of every other answer (proxied, error, 404, a later guard's refusal) are set by the response
// hook, from the request.
import { parseDuration } from '../../../config/duration.js';
import { removeHeadersWithPrefix, type Answer } from '../../../core/answer.js';
import type { BuildEnv, RequestContext, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';
import { compileOrigins } from './origins.js';

interface CorsConfig {
  allow_origins?: string[];
  allow_methods?: string[];
  allow_headers?: string[];
  expose_headers?: string[];
  allow_credentials?: boolean;
  max_age?: string;
  options_passthrough?: boolean;
  options_success_status?: number;
  allow_private_network?: boolean;
  debug?: boolean;
}

/** Go's textproto.CanonicalMIMEHeaderKey for plain token names ("content-length" -> "Content-Length"). */
function canonical(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** The runtime of `security/cors` (schema.ts loads it on first use). */
export function build(c: CorsConfig, env: BuildEnv): Stage {
  const origins = compileOrigins(c.allow_origins ?? []);
  const credentials = c.allow_credentials === true;
  if (origins.any && credentials) {
    throw new Error(
      'allow_credentials with every origin allowed ("*" or no allow_origins) is refused: browsers reject it, and echoing origins instead would expose credentialed responses to any site; list the origins (`rampart migrate` turns credentials off and says what to decide)',
    );
  }
  const anyOrigin = origins.any;
  const matchOrigin = origins.match;
  const methods = new Set(c.allow_methods && c.allow_methods.length > 0 ? c.allow_methods : ['GET', 'HEAD', 'POST']);
  const allHeaders = !c.allow_headers || c.allow_headers.length === 0 || c.allow_headers.includes('*');
  const allowedHeaders = new Set((c.allow_headers ?? []).map((h) => h.toLowerCase()));
  const expose = c.expose_headers && c.expose_headers.length > 0 ? c.expose_headers.map(canonical).join(', ') : undefined;
  const maxAgeS = c.max_age ? Math.floor((parseDuration(c.max_age) ?? 0) / 1000) : 0;
  const maxAge = maxAgeS > 0 ? String(maxAgeS) : undefined;
  const privateNetwork = c.allow_private_network === true;
  const passthrough = c.options_passthrough === true;
  const debug = c.debug === true;
  const preflightVary = `Origin, Access-Control-Request-Method, Access-Control-Request-Headers${privateNetwork ? ', Access-Control-Request-Private-Network' : ''}`;
  const refused: Rejection = refusal('cors.denied', 'security/cors', 'pre-flight origin, method or header not allowed', {
    status: c.options_success_status,
    headers: ['vary', preflightVary],
  });
  const status = refused.status;

  const methodAllowed = (m: string) => m === 'OPTIONS' || methods.has(m);
  /** Browsers send the names lower-case, sorted and unique (Fetch §4.8); rs/cors accepts only that form. */
  const headersAllowed = (list: string): boolean => {
    let prev = '';
    for (const raw of list.split(',')) {
      const name = raw.trim();
      if (name === '' || name <= prev || !allowedHeaders.has(name)) return false;
      prev = name;
    }
    return true;
  };

  /** The pre-flight's verdict: the headers of an allowed one, or undefined. */
  const preflightHeaders = (ctx: RequestContext, reqMethod: string): string[] | undefined => {
    const h = ctx.req.headers;
    const origin = h.origin;
    const reqHeaders = h['access-control-request-headers'];
    let ok = typeof origin === 'string' && origin !== '' && matchOrigin(origin) && methodAllowed(reqMethod);
    if (ok && reqHeaders && !allHeaders) ok = headersAllowed(reqHeaders);
    if (debug) env.log.debug({ origin, method: reqMethod, allowed: ok }, 'cors preflight');
    if (!ok || typeof origin !== 'string') return undefined;
    const out = ['vary', preflightVary, 'access-control-allow-origin', anyOrigin ? '*' : origin, 'access-control-allow-methods', reqMethod];
    if (reqHeaders) out.push('access-control-allow-headers', reqHeaders);
    if (credentials) out.push('access-control-allow-credentials', 'true');
    if (privateNetwork && h['access-control-request-private-network'] === 'true') out.push('access-control-allow-private-network', 'true');
    if (maxAge) out.push('access-control-max-age', maxAge);
    return out;
  };

  /** The pre-flight header of a request, or undefined when it is not one. */
  const preflightMethod = (ctx: RequestContext): string | undefined => {
    if (ctx.method !== 'OPTIONS') return undefined;
    const m = ctx.req.headers['access-control-request-method'];
    return typeof m === 'string' && m !== '' ? m : undefined;
  };

  /** The gateway's CORS headers replace the answer's (Vary is added to, RFC 9110 §12.5.5). Every
   * name the lists hold is `vary` or starts with `access-control-`, and each appears once: once the
   * answer's access-control-* headers are gone, appending is replacing. */
  const apply = (a: Answer, list: readonly string[]): void => {
    removeHeadersWithPrefix(a.headers, 'access-control-');
    for (let i = 0; i < list.length; i++) a.headers.push(list[i]);
  };

  return {
    onRequest(ctx) {
      if (passthrough) return undefined;
      const reqMethod = preflightMethod(ctx);
      if (reqMethod === undefined) return undefined;
      const out = preflightHeaders(ctx, reqMethod);
      return out === undefined ? refused : { status, headers: out };
    },
    onResponse(ctx, a) {
      const reqMethod = preflightMethod(ctx);
      if (reqMethod !== undefined) {
        // Only with options_passthrough: the pre-flight went on to a backend.
        return void apply(a, preflightHeaders(ctx, reqMethod) ?? ['vary', preflightVary]);
      }
      const origin = ctx.req.headers.origin;
      if (origin === undefined || origin === '' || !methodAllowed(ctx.method) || !matchOrigin(origin)) {
        if (debug && origin) env.log.debug({ origin, method: ctx.method, allowed: false }, 'cors request');
        return void apply(a, VARY_ORIGIN);
      }
      // The common case (an allowed actual request) writes straight into the answer: no list.
      const h = a.headers;
      removeHeadersWithPrefix(h, 'access-control-');
      h.push('vary', 'Origin', 'access-control-allow-origin', anyOrigin ? '*' : origin);
      if (expose) h.push('access-control-expose-headers', expose);
      if (credentials) h.push('access-control-allow-credentials', 'true');
    },
  };
}

const VARY_ORIGIN = Object.freeze(['vary', 'Origin']);
