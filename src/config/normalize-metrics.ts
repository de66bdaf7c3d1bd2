// `telemetry/metrics` into MetricsSettings (undefined when absent: nothing is collected).
import { isIP } from 'node:net';
import { parseDuration } from './duration.js';
import type { Problems } from '../core/config-error.js';

export interface MetricsSettings {
  /** How often the served snapshot is refreshed. */
  collectionMs: number;
  host: string;
  port: number;
  router: boolean;
  proxy: boolean;
  backend: boolean;
  /** Serve GET /__stats (endpoint_disabled: false). */
  serve: boolean;
}

const AT = '/extra_config/telemetry~1metrics';

type Raw = {
  collection_time?: string;
  listen_address?: string;
  proxy_disabled?: boolean;
  router_disabled?: boolean;
  backend_disabled?: boolean;
  endpoint_disabled?: boolean;
};

export function normalizeMetrics(raw: unknown, problems: Problems, warnings: string[]): MetricsSettings | undefined {
  if (raw === undefined) return undefined;
  const r = raw as Raw;
  const address = r.listen_address ?? ':8090';
  const colon = address.lastIndexOf(':');
  let host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(colon + 1));
  if (port > 65535) problems.add(`${AT}/listen_address`, `port ${port} is out of range`);
  // KrakenD listens on every interface with no authentication; Rampart only on loopback unless
  // an address is written out.
  if (host === '') host = '127.0.0.1';
  else if (host === 'localhost') host = '127.0.0.1';
  else if (!isIP(host)) problems.add(`${AT}/listen_address`, `"${host}" is not an IP address`);
  if (host === '0.0.0.0' || host === '::') warnings.push(`${AT}/listen_address: /__stats is served on every interface, without authentication`);
  const collectionMs = r.collection_time !== undefined ? (parseDuration(r.collection_time) ?? 60_000) : 60_000;
  if (collectionMs <= 0) problems.add(`${AT}/collection_time`, 'must be more than 0');
  return {
    collectionMs,
    host,
    port,
    router: r.router_disabled !== true,
    proxy: r.proxy_disabled !== true,
    backend: r.backend_disabled !== true,
    serve: r.endpoint_disabled !== true,
  };
}
