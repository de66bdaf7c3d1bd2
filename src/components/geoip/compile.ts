// Country of the client IP from a MaxMind database (.mmdb: GeoIP2/GeoLite2 City or Country),
// read once at startup. Lookups are cached (LRU by IP). An address the database does not know
// (private ranges, a v6 address in a v4-only file) is "unknown": refused when an allow list
// exists unless allow_unknown, passed otherwise (fail closed where an allow list was asked for).
import { readFileSync } from '../../core/config-files.js';
import { LRUCache } from 'lru-cache';
import { Reader, type CountryResponse } from 'maxmind';
import type { RequestContext } from '../types.js';
import type { GeoipConfig } from './schema.js';

/** Returns true when the request must be refused; adds the declared country header. */
export type GeoFilter = (ctx: RequestContext) => boolean;

export function compileGeoip(c: GeoipConfig): GeoFilter | null {
  let reader: Reader<CountryResponse>;
  try {
    reader = new Reader<CountryResponse>(readFileSync(c.citydb_path));
  } catch (err) {
    throw new Error(`geoip/citydb_path: cannot load "${c.citydb_path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const allow = c.allow_countries && c.allow_countries.length > 0 ? new Set(c.allow_countries.map((x) => x.toUpperCase())) : undefined;
  const deny = new Set((c.deny_countries ?? []).map((x) => x.toUpperCase()));
  const allowUnknown = c.allow_unknown ?? !allow;
  const header = c.country_header?.toLowerCase();
  if (!allow && deny.size === 0 && !header) return null;

  const cache = new LRUCache<string, string>({ max: c.cache_size || 10_000 });
  const countryOf = (ip: string): string => {
    let v = cache.get(ip);
    if (v !== undefined) return v;
    try {
      const r = reader.get(ip);
      v = r?.country?.iso_code ?? r?.registered_country?.iso_code ?? '';
    } catch {
      v = ''; // not an IP, or an IPv6 address in an IPv4-only database
    }
    cache.set(ip, v);
    return v;
  };

  return (ctx) => {
    const country = countryOf(ctx.clientIp);
    if (country === '' ? !allowUnknown : (allow !== undefined && !allow.has(country)) || deny.has(country)) return true;
    // Always set (empty when unknown) so a client-sent header of that name never reaches a backend.
    if (header) (ctx.upstreamHeaders ??= []).push(header, country);
    return false;
  };
}
