// `telemetry/influx` (service, KrakenD CE krakend-influx; deprecated there): the telemetry/metrics
// counters and histograms pushed every `ttl` to an InfluxDB 1.x /write endpoint in line protocol.
// Needs telemetry/metrics, as in KrakenD. Config only: config/normalize-influx.ts reads it.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const influxComponent: ComponentSpec = {
  namespace: 'telemetry/influx',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['address'],
      properties: {
        address: { type: 'string', pattern: '^https?://' },
        ttl: duration,
        db: { type: 'string', minLength: 1 },
        username: { type: 'string' },
        password: { type: 'string' },
        // KrakenD reads it as a Go int from a JSON float: always ignored there. Points are sent
        // in one request per ttl here, so a buffer size has nothing to bound.
        buffer_size: { type: 'integer', minimum: 0 },
      },
    },
  },
};
