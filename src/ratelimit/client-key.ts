// Who "a client" is for per-client limits, compiled once from `strategy` + `key`:
//   ip      the client IP the gateway resolved (trusted proxies only, see server/client-ip.ts);
//           with `key`, that header is read instead, but only from a trusted proxy (KrakenD
//           believes it from anyone, which lets every client pick its own bucket).
//           IPv6 clients are grouped by /64: one subscriber usually holds a whole /64, so
//           per-address buckets would be free for the taking.
//   header  the header's value, hashed (SHA-256): header keys are often credentials
//           (Authorization, X-API-Key) that must not sit in Redis key names or memory dumps,
//           and hashing bounds the key length whatever the header size.
//   param   a path placeholder of the endpoint.
//   claim   a claim of the validated JWT (ctx.claims, set by auth/validator in the authenticate
//           phase, before the limits run). Dotted names are paths into nested claims, except
//           names that look like URLs (the same rule as auth/validator's claim paths).
// `undefined` means "no identity" (missing header, param or claim): KrakenD answers 429.
import { hash } from 'node:crypto';
import type { RequestContext } from '../core/request.js';
import { compileClientIp } from '../net/client-ip.js';

export type Strategy = 'ip' | 'header' | 'param' | 'claim';
export const STRATEGIES: readonly Strategy[] = ['ip', 'header', 'param', 'claim'];
export type KeyOf = (ctx: RequestContext) => string | undefined;

/** Longer values are replaced by their digest (bounded memory per tracked client). */
const MAX_RAW_KEY = 128;

function digest(v: string): string {
  return hash('sha256', v, 'base64url');
}

function bounded(v: string): string {
  return v.length <= MAX_RAW_KEY ? v : digest(v);
}

/** IPv4 as is; IPv6 reduced to its /64 prefix ("2001:db8:1:2::/64"). */
export function ipBucket(ip: string): string {
  if (!ip.includes(':')) return ip;
  const zone = ip.indexOf('%');
  const addr = zone >= 0 ? ip.slice(0, zone) : ip;
  const dbl = addr.indexOf('::');
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  let groups: string[];
  if (dbl < 0) groups = part(addr);
  else {
    const head = part(addr.slice(0, dbl));
    const tail = part(addr.slice(dbl + 2));
    // An embedded IPv4 tail (64:ff9b::1.2.3.4) stands for two groups.
    const tailGroups = tail.length > 0 && tail[tail.length - 1].includes('.') ? tail.length + 1 : tail.length;
    groups = head.concat(Array<string>(Math.max(0, 8 - head.length - tailGroups)).fill('0'), tail);
  }
  let out = '';
  for (let i = 0; i < 4; i++) out += (i ? ':' : '') + (parseInt(groups[i] ?? '0', 16) || 0).toString(16);
  return out + '::/64';
}

export function compilePath(name: string): string[] {
  return name.includes('.') && !name.startsWith('http') ? name.split('.') : [name];
}

function readClaim(claims: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = claims;
  for (const k of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** A claim value usable as an identity: non-empty strings and finite numbers only. */
export function claimText(claims: Record<string, unknown> | undefined, path: readonly string[]): string | undefined {
  if (claims === undefined) return undefined;
  const v = readClaim(claims, path);
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The request header a backend will see: the gateway's own value when a component set it
 * (a propagated claim or API-key role, a GeoIP country: ctx.upstreamHeaders, which replace the
 * client's copy upstream), else the client's first value ('' and absent are both "missing").
 * Reading the client's copy of a header the gateway sets would let a client pick its own bucket
 * or tier (issue #14); such components always set their header, empty when they have no value. */
export function headerText(ctx: RequestContext, lower: string): string | undefined {
  const up = ctx.upstreamHeaders;
  if (up !== undefined) {
    for (let i = up.length - 2; i >= 0; i -= 2) if (up[i].toLowerCase() === lower) return up[i + 1] === '' ? undefined : up[i + 1];
  }
  const v = ctx.req.headers[lower];
  const s = typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
  return s === '' ? undefined : s;
}

/** The key a header, param or claim strategy names (its component's schema requires one). */
function needKey(key: string | undefined, strategy: Strategy): string {
  if (key === undefined) throw new Error(`invariant: the "${strategy}" strategy needs a key`);
  return key;
}

export function compileClientKey(strategy: Strategy, key: string | undefined, trustedProxies: readonly string[]): KeyOf {
  switch (strategy) {
    case 'ip': {
      if (!key) return (ctx) => ipBucket(ctx.clientIp);
      const fromHeader = compileClientIp(trustedProxies, [key]);
      return (ctx) => ipBucket(fromHeader(ctx.req));
    }
    case 'header': {
      const lower = needKey(key, strategy).toLowerCase();
      return (ctx) => {
        const v = headerText(ctx, lower);
        return v === undefined ? undefined : digest(v);
      };
    }
    case 'param': {
      const name = needKey(key, strategy);
      return (ctx) => {
        const v = ctx.params[name];
        return v ? bounded(v) : undefined;
      };
    }
    case 'claim': {
      const path = compilePath(needKey(key, strategy));
      return (ctx) => {
        const v = claimText(ctx.claims, path);
        return v === undefined ? undefined : bounded(v);
      };
    }
  }
}
