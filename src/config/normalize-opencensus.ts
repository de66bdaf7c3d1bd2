// `telemetry/opencensus` read as telemetry/opentelemetry (KrakenD deprecated OpenCensus for it):
// the prometheus exporter and the enabled layers map; the other exporters are refused with the
// exact block to write instead. Metric names and labels are then OpenTelemetry's (README).
import type { Problems } from '../core/config-error.js';

const AT = '/extra_config/telemetry~1opencensus';

const REPLACEMENT: Record<string, string> = {
  jaeger:
    '"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "jaeger", "host": "<jaeger host>", "port": 4317}]}} (Jaeger 1.35 and later receive OTLP)',
  zipkin:
    '"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "collector", "host": "<OpenTelemetry collector>", "port": 4317}]}} with the collector\'s zipkin exporter',
  ocagent:
    '"telemetry/opentelemetry": {"exporters": {"otlp": [{"name": "collector", "host": "<OpenTelemetry collector>", "port": 4317}]}} (the OpenCensus agent is retired; the collector receives OTLP)',
  logger: '"telemetry/logging" (and the security event log) for lines, or an otlp exporter to a collector with its debug exporter',
  influxdb: '"telemetry/influx" with "telemetry/metrics", or a collector with its influxdb exporter',
  xray: 'an otlp exporter to an OpenTelemetry collector (or the AWS Distro) with its awsxray exporter',
  stackdriver: 'an otlp exporter to an OpenTelemetry collector with its googlecloud exporter',
  datadog: 'an otlp exporter to the Datadog agent (OTLP ingest on 4317) or a collector with its datadog exporter',
};

type Raw = {
  sample_rate?: number;
  reporting_period?: number;
  enabled_layers?: { backend?: boolean; pipe?: boolean; router?: boolean };
  // Only prometheus is read (its port; other keys are only noticed); any other name is refused.
  exporters: Record<string, unknown> & { prometheus?: { port?: number } & Record<string, unknown> };
};

/** The telemetry/opentelemetry block equivalent to an OpenCensus one, or undefined. */
export function opencensusAsOtel(raw: unknown, hasOtel: boolean, problems: Problems, warnings: string[]): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  const r = raw as Raw;
  if (hasOtel) {
    problems.add(AT, 'declare telemetry/opentelemetry or telemetry/opencensus, not both (OpenCensus is read as OpenTelemetry)');
    return undefined;
  }
  for (const name of Object.keys(r.exporters)) {
    if (name === 'prometheus' || /^[@$_#]/.test(name)) continue;
    problems.add(`${AT}/exporters/${name}`, `the OpenCensus ${name} exporter has no Rampart equivalent; write instead: ${REPLACEMENT[name]}`);
  }
  const p = r.exporters.prometheus;
  if (!p) {
    problems.add(`${AT}/exporters`, 'no exporter Rampart can run: declare exporters.prometheus, or write telemetry/opentelemetry');
    return undefined;
  }
  const tags = ['namespace', 'tag_host', 'tag_path', 'tag_method', 'tag_statuscode'].filter((k) => k in p);
  if (tags.length)
    warnings.push(
      `${AT}/exporters/prometheus: ${tags.join(', ')}: read as OpenTelemetry metrics, whose names and labels are fixed (README, telemetry/opentelemetry)`,
    );
  warnings.push(`${AT}: read as telemetry/opentelemetry with a Prometheus exporter on 127.0.0.1:${p.port ?? 9091} (OpenCensus is deprecated)`);
  const layers = r.enabled_layers;
  return {
    exporters: { prometheus: [{ name: 'opencensus-prometheus', port: p.port ?? 9091 }] },
    layers: layers
      ? {
          global: { disable_metrics: layers.router === false },
          proxy: { disable_metrics: layers.pipe === false },
          backend: { metrics: { disable_stage: layers.backend === false } },
        }
      : undefined,
  };
}
