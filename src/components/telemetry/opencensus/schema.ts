// `telemetry/opencensus` (service, KrakenD CE krakend-opencensus; deprecated, audit 7.2.3). Its
// exporters that map onto OpenTelemetry are run by telemetry/opentelemetry (config/
// normalize-opencensus.ts): `prometheus` becomes a Prometheus exporter, the layers map onto
// OpenTelemetry's. Every other exporter is refused with the telemetry/opentelemetry block to write.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

const flag = { type: 'boolean' };
const any = { type: 'object' };

export const opencensusComponent: ComponentSpec = {
  namespace: 'telemetry/opencensus',
  schemas: {
    service: {
      type: 'object',
      additionalProperties: false,
      patternProperties: COMMENT_KEYS,
      required: ['exporters'],
      properties: {
        sample_rate: { type: 'integer', minimum: 0, maximum: 100 },
        reporting_period: { type: 'integer', minimum: 0 },
        enabled_layers: {
          type: 'object',
          additionalProperties: false,
          patternProperties: COMMENT_KEYS,
          properties: { backend: flag, pipe: flag, router: flag },
        },
        exporters: {
          type: 'object',
          additionalProperties: false,
          patternProperties: COMMENT_KEYS,
          properties: {
            prometheus: {
              type: 'object',
              additionalProperties: false,
              patternProperties: COMMENT_KEYS,
              properties: {
                port: { type: 'integer', minimum: 0, maximum: 65535 },
                namespace: { type: 'string' },
                tag_host: flag,
                tag_path: flag,
                tag_method: flag,
                tag_statuscode: flag,
              },
            },
            jaeger: any,
            zipkin: any,
            ocagent: any,
            logger: any,
            influxdb: any,
            xray: any,
            stackdriver: any,
            datadog: any,
          },
        },
      },
    },
  },
};
