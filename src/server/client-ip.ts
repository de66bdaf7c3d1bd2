// The client IP forwarded upstream (X-Forwarded-For) and logged. Deviation from gin/KrakenD,
// which trust forwarding headers from any peer by default: here they count only when the direct
// peer is a declared trusted proxy, so nobody else can spoof their address.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

function plain(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}

export type ClientIpResolver = (req: IncomingMessage) => string;

export function compileClientIp(trusted: readonly string[], headers: readonly string[]): ClientIpResolver {
  if (trusted.length === 0) return (req) => plain(req.socket.remoteAddress);
  const list = new BlockList();
  for (const t of trusted) {
    const [addr, bits] = t.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  const isTrusted = (ip: string) => {
    const v = isIP(ip);
    return v !== 0 && list.check(ip, v === 6 ? 'ipv6' : 'ipv4');
  };
  const names = headers.map((h) => h.toLowerCase());
  return (req) => {
    const peer = plain(req.socket.remoteAddress);
    if (!isTrusted(peer)) return peer;
    for (const name of names) {
      const v = req.headers[name];
      if (typeof v !== 'string') continue;
      const hops = v.split(',').map((s) => plain(s.trim()));
      // Walk right to left: the first address that is not one of our proxies is the client.
      for (let i = hops.length - 1; i >= 0; i--) {
        if (!isIP(hops[i])) break;
        if (!isTrusted(hops[i])) return hops[i];
      }
    }
    return peer;
  };
}
