// The attack surface of a config (issue #15, `rampart surface`): per endpoint, who may call it,
// what a client can send that reaches which backend, and what bounds it. Built from the validated
// config, so it shows what Rampart will really do (defaults applied), never a secret's value:
// key digests, passwords and hashes are left out; only names, roles and counts appear.
import type { ServiceConfig, EndpointConfig } from '../config/types.js';

export interface Caller {
  kind: 'jwt' | 'api-key' | 'basic' | 'mtls';
  detail: string;
}

export interface BackendReach {
  method: string;
  urlPattern: string;
  hosts: string[];
  /** Client headers this backend receives (after endpoint and backend filters). */
  headers: string[];
  query: string[];
}

export interface EndpointSurface {
  key: string;
  method: string;
  path: string;
  /** Empty: anyone may call it. */
  callers: Caller[];
  /** IP filter, GeoIP, bot detector, Host restriction. */
  filters: string[];
  headers: string[];
  query: string[];
  cookies: string;
  body: boolean;
  limits: string[];
  corsOrigins: string[];
  backends: BackendReach[];
}

export interface Surface {
  rampart_surface: 1;
  file: string;
  listener: string;
  tls: string;
  endpoints: EndpointSurface[];
}

// The component settings this report reads, as their schemas validated them (only these fields).
type Jwt = {
  alg?: string;
  issuer?: string;
  audience?: string | string[];
  roles?: string[];
  scopes?: string[];
  scopes_matcher?: string;
  cookie_key?: string;
  auth_header_name?: string;
};
type ApiKeys = { keys?: unknown[]; strategy?: string; identifier?: string; roles?: string[] };
type Basic = { users?: unknown; htpasswd_path?: string };
type IpFilterPlugin = { 'ip-filter'?: { allow?: boolean; CIDR?: string[] }; geoip?: unknown };
type HttpSecurity = { allowed_hosts?: unknown[] };
type Limit = { every?: string; max_rate?: number; client_max_rate?: number; strategy?: string; key?: string };
type Tiered = { tiers?: { tier_value?: string }[]; tier_key?: string; tier_claim?: string };
type Cors = { allow_origins?: string[] };

/** An extra_config section as T, or {} when absent or not an object (the report never throws). */
const obj = <T extends object = Record<string, unknown>>(v: unknown): T => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as T) : ({} as T));

function callers(cfg: ServiceConfig, ep: EndpointConfig): Caller[] {
  const out: Caller[] = [];
  const x = ep.extra;
  const v = obj<Jwt>(x['auth/validator']);
  if (x['auth/validator']) {
    const parts = [`alg ${v.alg ?? 'RS256'}`];
    if (v.issuer) parts.push(`issuer ${v.issuer}`);
    const aud = Array.isArray(v.audience) ? v.audience : v.audience ? [v.audience] : [];
    parts.push(aud.length ? `audience ${aud.join(', ')}` : 'any audience');
    if (Array.isArray(v.roles) && v.roles.length) parts.push(`roles ${v.roles.join(' | ')}`);
    if (Array.isArray(v.scopes) && v.scopes.length) parts.push(`scopes ${v.scopes.join(v.scopes_matcher === 'all' ? ' & ' : ' | ')}`);
    parts.push(v.cookie_key ? `token from cookie ${v.cookie_key}` : `token from ${v.auth_header_name ?? 'Authorization'}`);
    out.push({ kind: 'jwt', detail: parts.join('; ') });
  }
  if (x['auth/api-keys']) {
    const svc = obj<ApiKeys>(cfg.extra['auth/api-keys']);
    const e = obj<ApiKeys>(x['auth/api-keys']);
    const keys = Array.isArray(svc.keys) ? svc.keys.length : 0;
    const where =
      (e.strategy ?? svc.strategy) === 'query_string'
        ? `query ${e.identifier ?? svc.identifier ?? 'key'}`
        : `header ${e.identifier ?? svc.identifier ?? 'Authorization'}`;
    out.push({ kind: 'api-key', detail: `roles ${(e.roles ?? []).join(' | ') || 'any'}; ${keys} key(s) declared; key in ${where}` });
  }
  // The service block holds users; an endpoint with auth/basic (even {}) is the one protected.
  const basic = x['auth/basic'];
  if (basic) {
    const b = { ...obj<Basic>(cfg.extra['auth/basic']), ...obj<Basic>(basic) };
    const users = Object.keys(obj(b.users));
    out.push({ kind: 'basic', detail: `${users.length ? `users ${users.join(', ')}` : 'users'}${b.htpasswd_path ? ` + ${b.htpasswd_path}` : ''}` });
  }
  if (cfg.tls?.enableMtls)
    out.push({ kind: 'mtls', detail: `client certificate from ${cfg.tls.caCerts.length} CA file(s)${cfg.tls.useSystemCaPool ? ' + system roots' : ''}` });
  return out;
}

function filters(cfg: ServiceConfig, ep: EndpointConfig): string[] {
  const out: string[] = [];
  const svc = cfg.extra;
  const plugin = obj<IpFilterPlugin>(svc['plugin/http-server']);
  if (plugin['ip-filter']) out.push(`IP ${plugin['ip-filter'].allow ? 'allow' : 'deny'} ${(plugin['ip-filter'].CIDR ?? []).join(', ')}`);
  if (plugin.geoip) out.push('GeoIP');
  const epPlugin = obj<IpFilterPlugin>(ep.extra['plugin/req-resp-modifier']);
  if (epPlugin['ip-filter']) out.push(`IP ${epPlugin['ip-filter'].allow ? 'allow' : 'deny'} ${(epPlugin['ip-filter'].CIDR ?? []).join(', ')} (endpoint)`);
  if (svc['security/bot-detector']) out.push('bot detector');
  const http = obj<HttpSecurity>(svc['security/http']);
  if (Array.isArray(http.allowed_hosts) && http.allowed_hosts.length) out.push(`Host ${http.allowed_hosts.join(', ')}`);
  return out;
}

function limits(cfg: ServiceConfig, ep: EndpointConfig): string[] {
  const out: string[] = [];
  const describe = (l: Limit, where: string) => {
    const every = l.every ?? '1s';
    if (l.max_rate) out.push(`${where}: ${l.max_rate} per ${every} for everyone`);
    if (l.client_max_rate) out.push(`${where}: ${l.client_max_rate} per ${every} per client (${l.strategy ?? 'ip'}${l.key ? ` ${l.key}` : ''})`);
  };
  for (const ns of ['qos/ratelimit/service', 'qos/ratelimit/service/redis']) if (cfg.extra[ns]) describe(obj<Limit>(cfg.extra[ns]), 'service');
  for (const ns of ['qos/ratelimit/router', 'qos/ratelimit/router/redis']) if (ep.extra[ns]) describe(obj<Limit>(ep.extra[ns]), 'endpoint');
  const tiers = obj<Tiered>(ep.extra['qos/ratelimit/tiered']);
  if (Array.isArray(tiers.tiers)) out.push(`tiers by ${tiers.tier_key ?? tiers.tier_claim ?? '?'}: ${tiers.tiers.map((t) => t.tier_value ?? '*').join(', ')}`);
  out.push(`body at most ${ep.maxPayload} bytes; timeout ${ep.timeoutMs} ms`);
  return out;
}

function headersOf(list: readonly string[]): string[] {
  // KrakenD keeps Content-Type when input_headers is empty.
  return list.length === 0 ? ['Content-Type'] : [...list];
}

export function buildSurface(cfg: ServiceConfig): Surface {
  const cors = obj<Cors>(cfg.extra['security/cors']);
  const endpoints = cfg.endpoints.map((ep): EndpointSurface => {
    const headers = headersOf(ep.inputHeaders);
    const all = headers.includes('*');
    const cookies = all ? 'all cookies' : headers.some((h) => h.toLowerCase() === 'cookie') ? 'all cookies (Cookie header declared)' : 'none';
    const epCors = obj<Cors>(ep.extra['security/cors']);
    return {
      key: `${ep.method} ${ep.path}`,
      method: ep.method,
      path: ep.path,
      callers: callers(cfg, ep),
      filters: filters(cfg, ep),
      headers,
      query: [...ep.inputQueryStrings],
      cookies,
      body: ep.method !== 'GET',
      limits: limits(cfg, ep),
      corsOrigins: (epCors.allow_origins ?? cors.allow_origins ?? (cfg.extra['security/cors'] ? ['*'] : [])) as string[],
      backends: ep.backends.map((b) => {
        const bHeaders = b.inputHeaders;
        const bQuery = b.inputQueryStrings;
        return {
          method: b.method,
          urlPattern: b.urlPattern,
          // sd "dns": the hosts are whatever the SRV name resolves to at run time.
          hosts: b.srv ? [`${b.srv.scheme}://<SRV ${b.srv.name}>`] : [...b.hosts],
          headers: bHeaders?.length ? headers.filter((h) => h === '*' || bHeaders.some((x) => x.toLowerCase() === h.toLowerCase())) : headers,
          query: bQuery?.length ? ep.inputQueryStrings.filter((q) => q === '*' || bQuery.includes(q)) : [...ep.inputQueryStrings],
        };
      }),
    };
  });
  return {
    rampart_surface: 1,
    file: cfg.file,
    listener: `${cfg.listenIp || '0.0.0.0 (every interface)'}:${cfg.port}`,
    tls: cfg.tls ? `TLS ${cfg.tls.minVersion}–${cfg.tls.maxVersion}${cfg.tls.enableMtls ? ', client certificates required' : ''}` : 'plain HTTP',
    endpoints,
  };
}
