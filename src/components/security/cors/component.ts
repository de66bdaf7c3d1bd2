// `security/cors`: pre-flights answered by the gateway (OPTIONS is never a declared endpoint
// method), CORS headers on actual requests, `Vary: Origin` always. Behaviour of rs/cors v1.11 as
// used by KrakenD CE (traffic-and-http-security.md §5). Everything is compiled here; an actual
// request costs one header push when it carries no Origin.
// Deviations (README): "*" with allow_credentials and a "null" origin are refused at startup;
// the gateway's CORS answer overrides any Access-Control-* header a backend sends (see
// server/http-response.ts), so a disallowed origin never gets CORS headers.
import { parseDuration } from '../../../config/duration.js';
import { addResponseHeader, claimCors } from '../../../server/http-response.js';
import type { BuildEnv, RequestContext, Rejection, Stage } from '../../types.js';
import { securityEvent } from '../../types.js';
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
    throw new Error('allow_credentials with every origin allowed ("*" or no allow_origins) is refused: browsers reject it, and echoing origins instead would expose credentialed responses to any site; list the origins');
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
  const refused: Rejection = Object.freeze({ status: c.options_success_status ?? 204, headers: Object.freeze(['vary', preflightVary]), event: securityEvent('cors.denied', 'security/cors', 'pre-flight origin, method or header not allowed') });
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

  const preflight = (ctx: RequestContext, reqMethod: string): Rejection | undefined => {
    const h = ctx.req.headers;
    const origin = h.origin;
    const reqHeaders = h['access-control-request-headers'];
    let ok = typeof origin === 'string' && origin !== '' && matchOrigin(origin) && methodAllowed(reqMethod);
    if (ok && reqHeaders && !allHeaders) ok = headersAllowed(reqHeaders);
    if (debug) env.log.debug({ origin, method: reqMethod, allowed: ok }, 'cors preflight');
    if (!ok) {
      if (!passthrough) return refused;
      claimCors(ctx.res);
      addResponseHeader(ctx.res, 'vary', preflightVary);
      return undefined;
    }
    const out = ['vary', preflightVary, 'access-control-allow-origin', anyOrigin ? '*' : origin!, 'access-control-allow-methods', reqMethod];
    if (reqHeaders) out.push('access-control-allow-headers', reqHeaders);
    if (credentials) out.push('access-control-allow-credentials', 'true');
    if (privateNetwork && h['access-control-request-private-network'] === 'true') out.push('access-control-allow-private-network', 'true');
    if (maxAge) out.push('access-control-max-age', maxAge);
    if (!passthrough) return { status, headers: out };
    claimCors(ctx.res);
    for (let i = 0; i < out.length; i += 2) addResponseHeader(ctx.res, out[i], out[i + 1]);
    return undefined;
  };

  return {
    onRequest(ctx) {
      const h = ctx.req.headers;
      if (ctx.method === 'OPTIONS') {
        const reqMethod = h['access-control-request-method'];
        if (typeof reqMethod === 'string' && reqMethod !== '') return preflight(ctx, reqMethod);
      }
      const res = ctx.res;
      claimCors(res);
      addResponseHeader(res, 'vary', 'Origin');
      const origin = h.origin;
      if (origin === undefined || origin === '' || !methodAllowed(ctx.method) || !matchOrigin(origin)) {
        if (debug && origin) env.log.debug({ origin, method: ctx.method, allowed: false }, 'cors request');
        return undefined;
      }
      addResponseHeader(res, 'access-control-allow-origin', anyOrigin ? '*' : origin);
      if (expose) addResponseHeader(res, 'access-control-expose-headers', expose);
      if (credentials) addResponseHeader(res, 'access-control-allow-credentials', 'true');
      return undefined;
    },
  };
}
