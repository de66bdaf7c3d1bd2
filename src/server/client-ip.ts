// The client IP forwarded upstream (X-Forwarded-For) and logged. Deviation from gin/KrakenD,
// which trust forwarding headers from any peer by default: here they count only when the direct
// peer is a declared trusted proxy, so nobody else can spoof their address.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** The address without the IPv4-mapped IPv6 prefix (::ffff:1.2.3.4 -> 1.2.3.4). */
export function plainIp(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}

export type ClientIpResolver = (req: IncomingMessage) => string;

/** Builds a BlockList from IPs and CIDRs (both families). Throws on an invalid entry. */
export function compileAddressList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const t of entries) {
    const [addr, bits, extra] = t.trim().split('/');
    const v = isIP(addr);
    if (!v || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128)))) {
      throw new Error(`"${t}" is not an IP address or CIDR`);
    }
    const type = v === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

/** True when `ip` (plain form) is in the list; false for anything that is not an IP. */
export function compileMembership(list: BlockList): (ip: string) => boolean {
  return (ip) => {
    const v = isIP(ip);
    return v !== 0 && list.check(ip, v === 6 ? 'ipv6' : 'ipv4');
  };
}

/** Is the direct peer of this request one of the declared trusted proxies? */
export function compileTrustedPeer(trusted: readonly string[]): (req: IncomingMessage) => boolean {
  if (trusted.length === 0) return () => false;
  const isTrusted = compileMembership(compileAddressList(trusted));
  return (req) => isTrusted(plainIp(req.socket.remoteAddress));
}

export function compileClientIp(trusted: readonly string[], headers: readonly string[]): ClientIpResolver {
  if (trusted.length === 0) return (req) => plainIp(req.socket.remoteAddress);
  const isTrusted = compileMembership(compileAddressList(trusted));
  const names = headers.map((h) => h.toLowerCase());
  return (req) => {
    const peer = plainIp(req.socket.remoteAddress);
    if (!isTrusted(peer)) return peer;
    for (const name of names) {
      const v = req.headers[name];
      if (typeof v !== 'string') continue;
      const hops = v.split(',').map((s) => plainIp(s.trim()));
      // Walk right to left: the first address that is not one of our proxies is the client.
      for (let i = hops.length - 1; i >= 0; i--) {
        if (!isIP(hops[i])) break;
        if (!isTrusted(hops[i])) return hops[i];
      }
    }
    return peer;
  };
}
