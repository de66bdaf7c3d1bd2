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

/** Dotted-quad IPv4 as an unsigned 32-bit number, or -1 (leading zeros refused, as isIP). */
export function ipv4ToNumber(ip: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || part > 255 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return n * 256 + part;
}

/** IPs and CIDRs of both families: IPv4 as numeric ranges (checked in JS: node:net's
 * BlockList.check costs microseconds per call), IPv6 in a BlockList. */
export interface AddressList {
  v4: [number, number][];
  v6: BlockList;
  hasV6: boolean;
}

/** Builds an AddressList from IPs and CIDRs. Throws on an invalid entry. */
export function compileAddressList(entries: readonly string[]): AddressList {
  const out: AddressList = { v4: [], v6: new BlockList(), hasV6: false };
  for (const t of entries) {
    const [addr, bits, extra] = t.trim().split('/');
    const v = isIP(addr);
    if (!v || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128)))) {
      throw new Error(`"${t}" is not an IP address or CIDR`);
    }
    if (v === 4) {
      const size = 2 ** (32 - (bits === undefined ? 32 : Number(bits)));
      const start = Math.floor(ipv4ToNumber(addr) / size) * size;
      out.v4.push([start, start + size - 1]);
    } else {
      out.hasV6 = true;
      if (bits === undefined) out.v6.addAddress(addr, 'ipv6');
      else out.v6.addSubnet(addr, Number(bits), 'ipv6');
    }
  }
  // Sorted, merged ranges: a binary search per lookup, however long the list.
  out.v4.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of out.v4) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  out.v4 = merged;
  return out;
}

/** True when `ip` (plain form) is in the list; false for anything that is not an IP. */
export function compileMembership(list: AddressList): (ip: string) => boolean {
  const ranges = list.v4;
  const { v6, hasV6 } = list;
  return (ip) => {
    // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address, as for BlockList.
    const n = ipv4ToNumber(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
    if (n >= 0) {
      let lo = 0;
      let hi = ranges.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (n < ranges[mid][0]) hi = mid - 1;
        else if (n > ranges[mid][1]) lo = mid + 1;
        else return true;
      }
      return false;
    }
    return hasV6 && isIP(ip) === 6 && v6.check(ip, 'ipv6');
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
