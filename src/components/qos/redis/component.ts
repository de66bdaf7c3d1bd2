// `redis` (service): the checks beyond its schema (schema.ts imports this on first use).
// Validation only (nothing runs per request): pool names unique, addresses well formed.
import { parseAddress } from '../../../ratelimit/redis-address.js';

export function build(config: { connection_pools: { name: string; address: string }[] }): null {
  const out: string[] = [];
  const seen = new Set<string>();
  config.connection_pools.forEach((p, i) => {
    if (seen.has(p.name)) out.push(`connection_pools/${i}: pool name "${p.name}" is declared twice`);
    seen.add(p.name);
    if (!parseAddress(p.address)) out.push(`connection_pools/${i}: address "${p.address}" must be host:port (IPv6 as [addr]:port)`);
  });
  if (out.length > 0) throw new Error(out.join('; '));
  return null;
}
