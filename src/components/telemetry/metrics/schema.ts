// `telemetry/metrics` (service, KrakenD CE krakend-metrics): counters and histograms of the
// router, the endpoint pipes and the backends, served as JSON at GET /__stats on their own
// listener. Config only: config/normalize-metrics.ts reads it; observability/stats*.ts collect
// and serve. Safer than KrakenD: `listen_address` ":8090" binds 127.0.0.1, not every interface.
import { COMMENT_KEYS, duration } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

export const metricsComponent: ComponentSpec = {
  namespace: 'telemetry/metrics',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      properties: {
        collection_time: duration,
        listen_address: { type: 'string', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]*):[0-9]{1,5}$' },
        proxy_disabled: { type: 'boolean' },
        router_disabled: { type: 'boolean' },
        backend_disabled: { type: 'boolean' },
        endpoint_disabled: { type: 'boolean' },
      },
    },
  },
};
