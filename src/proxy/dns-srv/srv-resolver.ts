// The DNS client of SRV discovery. KrakenD uses the system resolver, and so does Rampart unless
// RAMPART_DNS_SERVER names servers (read and checked by config/normalize.ts): then both the SRV
// queries and the address lookups of their targets go to those servers, so a target name only
// that server knows (a test's, a sidecar's) is also what the connection dials.
import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { SrvRecord } from './srv-weights.js';

/** net.connect's `lookup` option (called with `all: true` when Node races address families). */
export type ConnectLookup = LookupFunction;

export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  /** For the upstream pools of the targets; undefined = the system's getaddrinfo. */
  readonly lookup: ConnectLookup | undefined;
}

/** One query is bounded: 2 s per try, 2 tries (c-ares' defaults are 5 s and 4). */
const TIMEOUT_MS = 2000;
const TRIES = 2;

function customLookup(resolver: dns.Resolver): ConnectLookup {
  return (hostname, options, callback) => {
    if (isIP(hostname)) {
      const family = isIP(hostname);
      return options.all ? callback(null, [{ address: hostname, family }]) : callback(null, hostname, family);
    }
    const v4 = resolver.resolve4(hostname).catch(() => [] as string[]);
    const v6 = resolver.resolve6(hostname).catch(() => [] as string[]);
    void Promise.all([v4, v6]).then(([a, b]) => {
      const all: LookupAddress[] = [...a.map((address) => ({ address, family: 4 })), ...b.map((address) => ({ address, family: 6 }))];
      if (all.length === 0) {
        const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
        callback(err, options.all ? [] : '', 4);
      } else if (options.all) callback(null, all);
      else callback(null, all[0].address, all[0].family);
    });
  };
}

export function createSrvResolver(servers: readonly string[] | undefined): SrvResolver {
  const resolver = new dns.Resolver({ timeout: TIMEOUT_MS, tries: TRIES });
  if (servers && servers.length > 0) resolver.setServers(servers);
  return {
    resolveSrv: (name) => resolver.resolveSrv(name),
    lookup: servers && servers.length > 0 ? customLookup(resolver) : undefined,
  };
}
