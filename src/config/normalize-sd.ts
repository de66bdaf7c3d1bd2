// Backend service discovery (`sd`): KrakenD's `dns` / `dns-shared` resolve the first host entry
// as a DNS SRV name (lura sd/dnssrv). The entry is a DNS name; a scheme written in front of it
// (what KrakenD's host sanitising would add) is dropped, the scheme of the resolved hosts is
// `sd_scheme`. RAMPART_DNS_SERVER (ip or ip:port, comma-separated) sends the SRV and address
// queries to those servers instead of the system's; it is checked here so a typo stops startup.
import { isIP } from 'node:net';
import { parseDuration } from './duration.js';
import { pointerJoin, type Problems } from '../core/config-error.js';

const SRV_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
export const DNS_CACHE_TTL_DEFAULT_MS = 30_000;

/** KrakenD's dns_cache_ttl: 30 s, values under 1 s ignored. */
export function dnsCacheTtlMs(raw: unknown): number {
  const v = typeof raw === 'string' ? parseDuration(raw) : undefined;
  return v !== undefined && v >= 1000 ? v : DNS_CACHE_TTL_DEFAULT_MS;
}

export interface SdBackend {
  sd?: string;
  sd_scheme?: string;
  host?: string[];
}

/** The SRV name and scheme of a backend with sd dns/dns-shared; undefined for static ones. */
export function srvOf(
  b: SdBackend,
  serviceHosts: readonly string[],
  at: string,
  problems: Problems,
  warnings: string[],
): { name: string; scheme: string } | undefined {
  if (b.sd !== 'dns' && b.sd !== 'dns-shared') return undefined;
  const own = b.host ?? [];
  const hosts = own.length > 0 ? own : serviceHosts;
  const hostAt = own.length > 0 ? `${at}/host` : '/host';
  if (hosts.length === 0) {
    problems.add(`${at}/host`, 'sd "dns" needs the SRV name in "host"');
    return undefined;
  }
  if (hosts.length > 1) warnings.push(`${hostAt}: sd "${b.sd}" resolves only the first host entry (as KrakenD does); the others are ignored`);
  const name = hosts[0].replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/$/, '');
  if (!SRV_NAME.test(name) || name.length > 253) {
    problems.add(
      pointerJoin(hostAt, 0),
      `sd "${b.sd}": "${hosts[0]}" is not a DNS name to look SRV records up for (e.g. "_http._tcp.api.default.svc.cluster.local")`,
    );
    return undefined;
  }
  return { name, scheme: b.sd_scheme ?? 'http' };
}

/** RAMPART_DNS_SERVER as a list for dns.Resolver#setServers; problems at `at` when malformed. */
export function dnsServersFromEnv(value: string | undefined, at: string, problems: Problems): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const out: string[] = [];
  for (const part of value.split(',').map((s) => s.trim())) {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)|([0-9a-fA-F:]+))(?::(\d{1,5}))?$/.exec(part);
    const host = m?.[1] ?? m?.[2] ?? m?.[3];
    const port = m?.[4] === undefined ? 53 : Number(m[4]);
    // A bare IPv6 address has colons of its own: a port needs the [addr]:port form.
    const bareV6 = m?.[3] !== undefined;
    if (!m || host === undefined || isIP(bareV6 ? part : host) === 0 || port < 1 || port > 65535) {
      problems.add(at, `RAMPART_DNS_SERVER: "${part}" is not ip, ip:port or [ipv6]:port`);
      return undefined;
    }
    out.push(bareV6 ? part : isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`);
  }
  return out;
}
