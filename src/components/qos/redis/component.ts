// `redis` (service): the checks beyond its schema (schema.ts imports this on first use).
// Validation only (nothing runs per request): names unique across pools and clusters, addresses
// well formed.
import { parseAddress } from '../../../ratelimit/redis-address.js';

interface RedisNamespace {
  connection_pools?: { name: string; address: string }[];
  clusters?: { name: string; addresses: string[]; username?: string; user_name?: string }[];
}

export function build(config: RedisNamespace): null {
  const out: string[] = [];
  const seen = new Set<string>();
  const named = (name: string, at: string) => {
    if (seen.has(name)) out.push(`${at}: the name "${name}" is declared twice (pools and clusters share one namespace of names)`);
    seen.add(name);
  };
  (config.connection_pools ?? []).forEach((p, i) => {
    named(p.name, `connection_pools/${i}`);
    if (!parseAddress(p.address)) out.push(`connection_pools/${i}: address "${p.address}" must be host:port (IPv6 as [addr]:port)`);
  });
  (config.clusters ?? []).forEach((c, i) => {
    named(c.name, `clusters/${i}`);
    c.addresses.forEach((a, j) => {
      if (!parseAddress(a)) out.push(`clusters/${i}/addresses/${j}: address "${a}" must be host:port (IPv6 as [addr]:port)`);
    });
    if (c.username !== undefined && c.user_name !== undefined && c.username !== c.user_name) out.push(`clusters/${i}: username and user_name differ`);
  });
  if (out.length > 0) throw new Error(out.join('; '));
  return null;
}
