// `security/http`: host restriction -> TLS redirect -> security headers, in that order (as
// unrolled/secure): the guard checks host and TLS, the response hook sets the security headers
// on every answer past it (they replace a backend's own: the gateway's policy is final). Header
// values are computed once; an answer costs an array push per header. Deviations (README): a bad Host is 400 (KrakenD: 500), forwarding headers
// (host_proxy_headers, ssl_proxy_headers) count only from router.trusted_proxies, `/__health`
// stays exempt as in KrakenD.
import type { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { compileTrustedPeer } from '../../../net/client-ip.js';
import { replaceHeader } from '../../../core/answer.js';
import type { BuildEnv, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';

const BAD_HOST: Rejection = refusal('host.denied', 'security/http', 'Host not in allowed_hosts', {
  body: 'Bad Host',
  headers: ['content-type', 'text/plain; charset=utf-8'],
});

interface HttpSecurityConfig {
  allowed_hosts?: string[];
  allowed_hosts_are_regex?: boolean;
  host_proxy_headers?: string[];
  ssl_redirect?: boolean;
  ssl_host?: string;
  ssl_proxy_headers?: Record<string, string>;
  sts_seconds?: number;
  sts_include_subdomains?: boolean;
  sts_preload?: boolean;
  force_sts_header?: boolean;
  frame_deny?: boolean;
  custom_frame_options_value?: string;
  content_type_nosniff?: boolean;
  browser_xss_filter?: boolean;
  content_security_policy?: string;
  referrer_policy?: string;
  is_development?: boolean;
  hpkp_public_key?: string;
}

function compileHostCheck(c: HttpSecurityConfig): ((host: string) => boolean) | undefined {
  const hosts = c.allowed_hosts ?? [];
  if (hosts.length === 0 || c.is_development) return undefined;
  if (!c.allowed_hosts_are_regex) {
    const set = new Set(hosts.map((h) => h.toLowerCase()));
    // The Host as sent first (clients send it in lower case): a hit means it is lower case already,
    // so only a miss pays for the lower-cased copy.
    return (host) => set.has(host) || set.has(host.toLowerCase());
  }
  const res = hosts.map((h, i) => {
    try {
      // Anchored like KrakenD (^...$); hosts are case-insensitive (RFC 3986 §3.2.2).
      return new RegExp(`^(?:${h})$`, 'i');
    } catch (err) {
      throw new Error(`allowed_hosts/${i}: invalid regular expression: ${(err as Error).message}`);
    }
  });
  return (host) => {
    for (const re of res) if (re.test(host)) return true;
    return false;
  };
}

/** Replaces every header named in `fixed` (a flat name/value list, names unique) in one pass
 * over the answer's headers, where one replaceHeader per name scanned them once per name. */
function replaceAll(list: string[], fixed: readonly string[]): void {
  const n = fixed.length;
  let w = 0;
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i];
    let ours = false;
    for (let j = 0; j < n; j += 2) {
      if (fixed[j] === name) {
        ours = true;
        break;
      }
    }
    if (ours) continue;
    list[w++] = name;
    list[w++] = list[i + 1];
  }
  if (w !== list.length) list.length = w;
  for (let j = 0; j < n; j++) list.push(fixed[j]);
}

/** The runtime of `security/http` (schema.ts loads it on first use). */
export function build(c: HttpSecurityConfig, env: BuildEnv): Stage | null {
  const trustedPeer = compileTrustedPeer(env.service.router.trustedProxies);
  const hostHeaders = (c.host_proxy_headers ?? []).map((h) => h.toLowerCase());
  const sslHeaders = Object.entries(c.ssl_proxy_headers ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  if ((hostHeaders.length > 0 || sslHeaders.length > 0) && env.service.router.trustedProxies.length === 0) {
    env.log.warn({ at: env.pointer }, 'host_proxy_headers / ssl_proxy_headers are ignored: no router.trusted_proxies declared');
  }
  if (c.hpkp_public_key !== undefined)
    env.log.warn({ at: env.pointer }, 'hpkp_public_key: HTTP Public Key Pinning is obsolete; no Public-Key-Pins header is sent (as KrakenD CE)');

  /** The request's host: a declared forwarding header from a trusted proxy, else Host. */
  const hostOf = (req: IncomingMessage): string => {
    if (hostHeaders.length > 0 && trustedPeer(req)) {
      for (const h of hostHeaders) {
        const v = req.headers[h];
        if (typeof v === 'string' && v !== '') return v;
      }
    }
    return req.headers.host ?? '';
  };
  const isTls = (req: IncomingMessage): boolean => {
    if ((req.socket as TLSSocket).encrypted === true) return true;
    if (sslHeaders.length > 0 && trustedPeer(req)) for (const [k, v] of sslHeaders) if (req.headers[k] === v) return true;
    return false;
  };

  const hostAllowed = compileHostCheck(c);
  const redirect = c.ssl_redirect === true && !c.is_development;
  if (redirect && !c.ssl_host && !hostAllowed)
    env.log.warn({ at: env.pointer }, 'ssl_redirect without ssl_host or allowed_hosts: the redirect target is the client-supplied Host');
  const fixed: string[] = [];
  // Exact values of unrolled/secure (KrakenD CE), docs/reference/traffic-and-http-security.md §6.
  if (c.custom_frame_options_value) fixed.push('x-frame-options', c.custom_frame_options_value);
  else if (c.frame_deny) fixed.push('x-frame-options', 'DENY');
  if (c.content_type_nosniff) fixed.push('x-content-type-options', 'nosniff');
  if (c.browser_xss_filter) fixed.push('x-xss-protection', '1; mode=block');
  if (c.content_security_policy) fixed.push('content-security-policy', c.content_security_policy);
  if (c.referrer_policy) fixed.push('referrer-policy', c.referrer_policy);
  const sts =
    (c.sts_seconds ?? 0) > 0 && !c.is_development
      ? `max-age=${c.sts_seconds}${c.sts_include_subdomains ? '; includeSubDomains' : ''}${c.sts_preload ? '; preload' : ''}`
      : undefined;
  const forceSts = c.force_sts_header === true;
  if (!hostAllowed && !redirect && fixed.length === 0 && !sts) return null;
  const health = env.service.router.disableHealth ? undefined : env.service.router.healthPath;

  return {
    onRequest(ctx) {
      if (ctx.path === health) return undefined;
      const req = ctx.req;
      if (hostAllowed && !hostAllowed(hostOf(req))) return BAD_HOST;
      if (redirect && !isTls(req)) return { status: 301, headers: ['location', `https://${c.ssl_host || hostOf(req)}${req.url ?? '/'}`] };
      return undefined;
    },
    onResponse(ctx, a) {
      if (ctx.path === health) return;
      if (fixed.length > 0) replaceAll(a.headers, fixed);
      if (sts && (forceSts || isTls(ctx.req))) replaceHeader(a.headers, 'strict-transport-security', sts);
    },
  };
}
