// `telemetry/opentelemetry` (KrakenD CE krakend-otel; EE overrides): traces and metrics with
// OpenTelemetry, exported over OTLP (HTTP or gRPC) and to Prometheus. Service scope holds the
// exporters and layers; endpoint (`proxy`, `backend`) and backend (`backend`) scopes override a
// layer for that route, replacing the service's settings of that layer (as KrakenD, no merge).
// Config only: config/normalize-otel.ts reads it, observability/otel/* runs it.
import { COMMENT_KEYS } from '../../../config/schema.js';
import type { ComponentSpec } from '../../types.js';

function obj(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', additionalProperties: false, patternProperties: COMMENT_KEYS, properties, required };
}
const attrs = {
  type: 'array',
  maxItems: 64,
  items: obj({ key: { type: 'string', minLength: 1, maxLength: 128 }, value: { type: 'string', maxLength: 1024 } }, ['key', 'value']),
};
const names = { type: 'array', items: { type: 'string' } };
const flag = { type: 'boolean' };

const globalLayer = obj({
  disable_metrics: flag,
  disable_traces: flag,
  disable_propagation: flag,
  report_headers: flag,
  skip_headers: names,
  semantic_convention: { enum: ['', '1.27'] },
  metrics_static_attributes: attrs,
  traces_static_attributes: attrs,
});
const proxyLayer = obj({
  disable_metrics: flag,
  disable_traces: flag,
  report_headers: flag,
  skip_headers: names,
  metrics_static_attributes: attrs,
  traces_static_attributes: attrs,
});
const backendLayer = obj({
  metrics: obj({ disable_stage: flag, round_trip: flag, read_payload: flag, detailed_connection: flag, static_attributes: attrs }),
  traces: obj({
    disable_stage: flag,
    round_trip: flag,
    read_payload: flag,
    detailed_connection: flag,
    report_headers: flag,
    skip_headers: names,
    static_attributes: attrs,
  }),
});
const port = { type: 'integer', minimum: 0, maximum: 65535 };

export const opentelemetryComponent: ComponentSpec = {
  namespace: 'telemetry/opentelemetry',
  schemas: {
    service: obj(
      {
        service_name: { type: 'string', maxLength: 256 },
        service_version: { type: 'string', maxLength: 256 },
        deploy_env: { type: 'string', maxLength: 256 },
        metric_reporting_period: { type: 'integer', minimum: 1 },
        trace_sample_rate: { type: 'number', minimum: 0, maximum: 1 },
        skip_paths: names,
        histograms: obj({
          size_buckets: { type: 'array', items: { type: 'number' }, minItems: 1 },
          time_buckets: { type: 'array', items: { type: 'number' }, minItems: 1 },
        }),
        layers: obj({ global: globalLayer, proxy: proxyLayer, backend: backendLayer }),
        exporters: {
          ...obj({
            otlp: {
              type: 'array',
              minItems: 1,
              items: obj(
                {
                  name: { type: 'string', minLength: 1 },
                  host: { type: 'string', minLength: 1 },
                  port,
                  use_http: flag,
                  disable_metrics: flag,
                  disable_traces: flag,
                  custom_metric_reporting_period: { type: 'integer', minimum: 0 },
                },
                ['name', 'host'],
              ),
            },
            prometheus: {
              type: 'array',
              minItems: 1,
              items: obj(
                {
                  name: { type: 'string', minLength: 1 },
                  port,
                  listen_ip: { type: 'string' },
                  process_metrics: flag,
                  go_metrics: flag,
                  disable_metrics: flag,
                  custom_metric_reporting_period: { type: 'integer', minimum: 0 },
                },
                ['name'],
              ),
            },
          }),
          minProperties: 1,
        },
      },
      ['exporters'],
    ),
    // exporters_override (EE) is read so that its refusal can say why (compile-endpoint.ts).
    endpoint: obj({ proxy: proxyLayer, backend: backendLayer, exporters_override: { type: 'object' } }),
    backend: obj({ backend: backendLayer, exporters_override: { type: 'object' } }),
  },
};
