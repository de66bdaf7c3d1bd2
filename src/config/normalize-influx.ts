// `telemetry/influx` into InfluxSettings (undefined when absent).
import { parseDuration } from './duration.js';
import type { Problems } from '../core/config-error.js';

export interface InfluxSettings {
  /** .../write?db=DB&precision=ms */
  writeUrl: string;
  everyMs: number;
  /** Basic credentials for the write request (never logged). */
  authorization: string | undefined;
}

export function normalizeInflux(raw: unknown, hasMetrics: boolean, problems: Problems, warnings: string[]): InfluxSettings | undefined {
  if (raw === undefined) return undefined;
  const r = raw as { address: string; ttl?: string; db?: string; username?: string; password?: string; buffer_size?: number };
  const at = '/extra_config/telemetry~1influx';
  if (!hasMetrics) problems.add(at, "needs telemetry/metrics (as in KrakenD): it sends that collector's values");
  let url: URL | undefined;
  try {
    url = new URL(r.address);
  } catch {
    problems.add(`${at}/address`, `"${r.address}" is not a URL`);
  }
  if (r.buffer_size !== undefined)
    warnings.push(`${at}/buffer_size: points are sent in one request per ttl; buffer_size has no effect (KrakenD ignores it too)`);
  const everyMs = r.ttl !== undefined ? (parseDuration(r.ttl) ?? 60_000) : 60_000;
  if (everyMs < 1000) problems.add(`${at}/ttl`, 'at least 1s');
  const base = url ? url.origin + url.pathname.replace(/\/+$/, '') : '';
  const authorization = r.username !== undefined ? `Basic ${Buffer.from(`${r.username}:${r.password ?? ''}`).toString('base64')}` : undefined;
  return { writeUrl: `${base}/write?db=${encodeURIComponent(r.db ?? 'krakend')}&precision=ms`, everyMs, authorization };
}
