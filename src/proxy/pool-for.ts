// The upstream pool for an origin. Pools are built at startup for every origin a backend may
// reach (its hosts, and only those for redirects), so a miss is a gateway bug, not bad input.
import type { Pool } from 'undici';

export function poolFor(pools: ReadonlyMap<string, Pool>, origin: string): Pool {
  const pool = pools.get(origin);
  if (pool === undefined) throw new Error('invariant: no upstream pool for a compiled origin');
  return pool;
}
