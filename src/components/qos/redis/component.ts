// `redis` (service): the checks beyond its schema (schema.ts imports this on first use).
// Validation only (nothing runs per request): names unique across pools and clusters, addresses
// well formed.
import { parseAddress } from '../../../ratelimit/redis-address.js';
import { PointedError } from '../../../core/config-error.js';

interface RedisNamespace {
  connection_pools?: { name: string; address: string }[];
  clusters?: { name: string; addresses: string[]; username?: string; user_name?: string }[];
}

export function build(config: RedisNamespace): null {
  const out: PointedError[] = [];
  const seen = new Set<string>();
  const named = (name: string, at: string) => {
    if (seen.has(name)) out.push(new PointedError(at, `the name "${name}" is declared twice (pools and clusters share one namespace of names)`));
    seen.add(name);
  };
  (config.connection_pools ?? []).forEach((p, i) => {
    named(p.name, `connection_pools/${i}`);
    if (!parseAddress(p.address)) out.push(new PointedError(`connection_pools/${i}/address`, `address "${p.address}" must be host:port (IPv6 as [addr]:port)`));
  });
  (config.clusters ?? []).forEach((c, i) => {
    named(c.name, `clusters/${i}`);
    c.addresses.forEach((a, j) => {
      if (!parseAddress(a)) out.push(new PointedError(`clusters/${i}/addresses/${j}`, `address "${a}" must be host:port (IPv6 as [addr]:port)`));
    });
    if (c.username !== undefined && c.user_name !== undefined && c.username !== c.user_name)
      out.push(new PointedError(`clusters/${i}`, 'username and user_name differ'));
  });
  // Every problem at its own pointer (`check` lists them all).
  if (out.length > 0) throw new AggregateError(out, out.map((e) => `${e.at.slice(1)}: ${e.message}`).join('; '));
  return null;
}
