// IP allow/deny lists (CIDR or single addresses, IPv4 and IPv6) checked with one node:net
// BlockList. The client IP is the router's (router.trusted_proxies + remote_ip_headers): a
// forwarding header counts only when the direct peer is a declared trusted proxy, so a spoofed
// X-Forwarded-For from anybody else is ignored. The filter may declare its own
// `trusted_proxies` / `client_ip_headers` (EE fields); the same right-to-left algorithm applies.
// Deviation: EE trusts `client_ip_headers` from any peer unless `trusted_proxies` is set.
import { compileAddressList, compileClientIp, compileMembership } from '../../net/client-ip.js';
import type { RouterOptions } from '../../config/types.js';
import type { Logger } from '../../observability/logger.js';
import type { RequestContext } from '../types.js';
import type { IpFilterConfig } from './schema.js';

/** Returns true when the request must be refused. */
export type IpFilter = (ctx: RequestContext) => boolean;

export function compileIpFilter(c: IpFilterConfig, router: RouterOptions, log: Logger, at: string): IpFilter {
  let list;
  try {
    list = compileAddressList(c.CIDR);
  } catch (err) {
    throw new Error(`ip-filter/CIDR: ${(err as Error).message}`);
  }
  const inList = compileMembership(list);
  if (c.trusted_proxies) {
    try {
      compileAddressList(c.trusted_proxies);
    } catch (err) {
      throw new Error(`ip-filter/trusted_proxies: ${(err as Error).message}`);
    }
  }
  const trusted = c.trusted_proxies ?? router.trustedProxies;
  if (c.client_ip_headers && trusted.length === 0)
    log.warn({ at }, 'ip-filter: client_ip_headers are ignored: no trusted_proxies declared (the socket address is used)');
  const own = c.trusted_proxies || c.client_ip_headers ? compileClientIp(trusted, c.client_ip_headers ?? router.remoteIpHeaders) : undefined;
  const allow = c.allow;
  return (ctx) => {
    const hit = inList(own ? own(ctx.req) : ctx.clientIp);
    return allow ? !hit : hit;
  };
}
