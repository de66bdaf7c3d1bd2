// Redis "host:port" addresses. Apart from redis-pool.ts so the `redis` namespace can check them
// without loading ioredis.

/** Parses "host:port" / "[v6]:port"; undefined when malformed. */
export function parseAddress(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}
