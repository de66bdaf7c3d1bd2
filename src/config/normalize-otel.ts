// `telemetry/opentelemetry` into OtelSettings (undefined when absent). KrakenD's defaults, safer
// where they are unsafe: trace_sample_rate 0 means no traces (KrakenD: every trace), Prometheus
// listens on 127.0.0.1 unless listen_ip says otherwise (KrakenD: every interface), a gRPC host
// written with https:// is reached over TLS (KrakenD: plaintext whatever the scheme).
import { isIP } from 'node:net';
import type { Problems } from '../core/config-error.js';
import type { EndpointConfig } from './types.js';

export interface LayerFlags {
  metrics: boolean;
  traces: boolean;
  reportHeaders: boolean;
  skipHeaders: readonly string[];
  metricAttrs: Readonly<Record<string, string>>;
  traceAttrs: Readonly<Record<string, string>>;
}

export interface BackendFlags extends LayerFlags {
  roundTrip: boolean;
  readPayload: boolean;
  /** detailed_connection: connection wait, DNS and TLS times of each call (metrics / span). */
  connectionMetrics: boolean;
  connectionTraces: boolean;
}

export interface GlobalFlags extends LayerFlags {
  propagation: boolean;
  semconv127: boolean;
}

export interface OtlpTarget {
  name: string;
  url: string;
  grpc: boolean;
  metrics: boolean;
  traces: boolean;
  reportingMs: number;
  /** telemetry/opentelemetry-security headers for this exporter (secrets: never logged). */
  headers: Readonly<Record<string, string>>;
}

export interface PrometheusTarget {
  name: string;
  host: string;
  port: number;
  runtimeMetrics: boolean;
  metrics: boolean;
}

export interface OtelSettings {
  serviceName: string;
  serviceVersion: string;
  deployEnv: string;
  reportingMs: number;
  sampleRate: number;
  skipPaths: ReadonlySet<string>;
  timeBuckets: readonly number[];
  sizeBuckets: readonly number[];
  global: GlobalFlags;
  proxy: LayerFlags;
  backend: BackendFlags;
  otlp: readonly OtlpTarget[];
  prometheus: readonly PrometheusTarget[];
}

const AT = '/extra_config/telemetry~1opentelemetry';
export const DEFAULT_SKIP_PATHS = ['/__health', '/__debug/', '/__echo/', '/__stats/'];
export const TIME_BUCKETS = [0.01, 0.02, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.5, 0.75, 1, 1.5, 2, 3.5, 5, 10];
export const SIZE_BUCKETS = [128, 256, 512, 1024, 4096, 8192, 16384, 32768, 65536, 262144, 524288, 1048576, 4194304, 16777216, 67108864];

// The telemetry/opentelemetry shapes as its component schema
// (components/telemetry/opentelemetry/schema.ts) validated them.
type RawAttributes = { key: string; value: string }[];
export type RawOtelProxyLayer = {
  disable_metrics?: boolean;
  disable_traces?: boolean;
  report_headers?: boolean;
  skip_headers?: string[];
  metrics_static_attributes?: RawAttributes;
  traces_static_attributes?: RawAttributes;
};
type RawOtelGlobalLayer = RawOtelProxyLayer & { disable_propagation?: boolean; semantic_convention?: '' | '1.27' };
type RawOtelStage = {
  disable_stage?: boolean;
  round_trip?: boolean;
  read_payload?: boolean;
  detailed_connection?: boolean;
  report_headers?: boolean;
  skip_headers?: string[];
  static_attributes?: RawAttributes;
};
export type RawOtelBackendLayer = { metrics?: RawOtelStage; traces?: RawOtelStage };
/** An endpoint- or backend-level override: a layer replaces the service's settings of that layer. */
export type RawOtelOverride = { proxy?: RawOtelProxyLayer; backend?: RawOtelBackendLayer };
type RawOtlpExporter = {
  name: string;
  host: string;
  port?: number;
  use_http?: boolean;
  disable_metrics?: boolean;
  disable_traces?: boolean;
  custom_metric_reporting_period?: number;
};
type RawPrometheusExporter = {
  name: string;
  port?: number;
  listen_ip?: string;
  process_metrics?: boolean;
  go_metrics?: boolean;
  disable_metrics?: boolean;
  custom_metric_reporting_period?: number;
};
type RawOtel = {
  service_name?: string;
  service_version?: string;
  deploy_env?: string;
  metric_reporting_period?: number;
  trace_sample_rate?: number;
  skip_paths?: string[];
  histograms?: { size_buckets?: number[]; time_buckets?: number[] };
  layers?: { global?: RawOtelGlobalLayer; proxy?: RawOtelProxyLayer; backend?: RawOtelBackendLayer };
  exporters?: { otlp?: RawOtlpExporter[]; prometheus?: RawPrometheusExporter[] };
};

function attributes(list: RawAttributes | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list ?? []) out[a.key] = a.value;
  return Object.freeze(out);
}

export function proxyFlags(p: RawOtelProxyLayer | undefined): LayerFlags {
  return {
    metrics: p?.disable_metrics !== true,
    traces: p?.disable_traces !== true,
    reportHeaders: p?.report_headers === true,
    skipHeaders: (p?.skip_headers ?? []).map((h: string) => h.toLowerCase()),
    metricAttrs: attributes(p?.metrics_static_attributes),
    traceAttrs: attributes(p?.traces_static_attributes),
  };
}

export function backendFlags(b: RawOtelBackendLayer | undefined): BackendFlags {
  const m = b?.metrics;
  const t = b?.traces;
  return {
    metrics: m?.disable_stage !== true,
    traces: t?.disable_stage !== true,
    reportHeaders: t?.report_headers === true,
    skipHeaders: (t?.skip_headers ?? []).map((h: string) => h.toLowerCase()),
    metricAttrs: attributes(m?.static_attributes),
    traceAttrs: attributes(t?.static_attributes),
    // KrakenD's code turns these on when the object is absent; Rampart's are cheap, so the same.
    roundTrip: b === undefined || m?.round_trip === true || t?.round_trip === true,
    readPayload: b === undefined || m?.read_payload === true || t?.read_payload === true,
    // Off unless written: KrakenD's schema documents false, though its code turns it on when the
    // `backend` object is absent; the detail costs every call a little, so it is asked for.
    connectionMetrics: m?.disable_stage !== true && m?.detailed_connection === true,
    connectionTraces: t?.disable_stage !== true && t?.detailed_connection === true,
  };
}

/** Whether any backend records connection detail (its pools then time their connections): the
 * service's backend layer, or an endpoint's or backend's override of it. */
export function anyConnectionDetail(s: OtelSettings, endpoints: readonly EndpointConfig[]): boolean {
  if (s.backend.connectionMetrics || s.backend.connectionTraces) return true;
  const detailed = (extra: Readonly<Record<string, unknown>>) => {
    const b = (extra['telemetry/opentelemetry'] as RawOtelOverride | undefined)?.backend;
    return b?.metrics?.detailed_connection === true || b?.traces?.detailed_connection === true;
  };
  return endpoints.some((ep) => detailed(ep.extra) || ep.backends.some((b) => detailed(b.extra)));
}

export function normalizeOtel(raw: unknown, serviceName: string, problems: Problems, warnings: string[], securityRaw?: unknown): OtelSettings | undefined {
  const security = (securityRaw as { otlp: { name: string; headers: Record<string, string> }[] } | undefined)?.otlp ?? [];
  if (raw === undefined) {
    if (securityRaw !== undefined)
      problems.add('/extra_config/telemetry~1opentelemetry-security', 'needs telemetry/opentelemetry (its otlp exporters receive these headers)');
    return undefined;
  }
  const r = raw as RawOtel;
  const reportingMs = (r.metric_reporting_period ?? 30) * 1000;
  const names = new Set<string>();
  const unique = (name: string, at: string) => {
    if (names.has(name)) problems.add(at, `exporter name "${name}" is used twice`);
    names.add(name);
  };
  const otlp: OtlpTarget[] = (r.exporters?.otlp ?? []).map((e, i) => {
    const at = `${AT}/exporters/otlp/${i}`;
    unique(e.name, `${at}/name`);
    const m = /^(https?):\/\/(.+)$/.exec(e.host);
    const scheme = m ? m[1] : 'http';
    const host = (m ? m[2] : e.host).replace(/\/+$/, '');
    if (!/^[A-Za-z0-9.\-[\]:]+$/.test(host) || host.includes('/'))
      problems.add(`${at}/host`, `"${e.host}" is not a host name or address (with an optional http:// or https://)`);
    const grpc = e.use_http !== true;
    const port = e.port || (grpc ? 4317 : 4318);
    return {
      name: e.name,
      url: `${scheme}://${host}:${port}`,
      grpc,
      metrics: e.disable_metrics !== true,
      traces: e.disable_traces !== true,
      reportingMs: e.custom_metric_reporting_period ? e.custom_metric_reporting_period * 1000 : reportingMs,
      headers: Object.freeze({ ...(security.find((x) => x.name === e.name)?.headers ?? {}) }),
    };
  });
  security.forEach((x, i) => {
    if (!otlp.some((o) => o.name === x.name))
      problems.add(`/extra_config/telemetry~1opentelemetry-security/otlp/${i}/name`, `no otlp exporter named "${x.name}" in telemetry/opentelemetry`);
  });
  const plain = otlp.filter((o) => Object.keys(o.headers).length && o.url.startsWith('http://') && !/^http:\/\/(127\.|\[::1\]|localhost)/.test(o.url));
  for (const o of plain)
    warnings.push(`/extra_config/telemetry~1opentelemetry-security: exporter "${o.name}" sends its headers to ${o.url.replace(/:\d+$/, '')} without TLS`);
  const prometheus: PrometheusTarget[] = (r.exporters?.prometheus ?? []).map((e, i) => {
    const at = `${AT}/exporters/prometheus/${i}`;
    unique(e.name, `${at}/name`);
    const host = e.listen_ip || '127.0.0.1';
    if (!isIP(host)) problems.add(`${at}/listen_ip`, `"${host}" is not an IP address`);
    if (host === '0.0.0.0' || host === '::') warnings.push(`${at}/listen_ip: /metrics is served on every interface, without authentication`);
    if (e.custom_metric_reporting_period) warnings.push(`${at}/custom_metric_reporting_period: Prometheus pulls; the period does not apply`);
    return {
      name: e.name,
      host,
      port: e.port ?? 9090,
      runtimeMetrics: e.process_metrics === true || e.go_metrics === true,
      metrics: e.disable_metrics !== true,
    };
  });
  const sampleRate = r.trace_sample_rate ?? 1;
  if (sampleRate === 0 && otlp.some((o) => o.traces)) warnings.push(`${AT}/trace_sample_rate: 0 records no traces (KrakenD would record every trace)`);
  const g = r.layers?.global;
  const skip = r.skip_paths ?? DEFAULT_SKIP_PATHS;
  return {
    serviceName: r.service_name || serviceName || 'rampart',
    serviceVersion: r.service_version ?? '',
    deployEnv: r.deploy_env ?? '',
    reportingMs,
    sampleRate,
    skipPaths: new Set(skip.filter((p: string) => p !== '')),
    timeBuckets: r.histograms?.time_buckets ?? TIME_BUCKETS,
    sizeBuckets: r.histograms?.size_buckets ?? SIZE_BUCKETS,
    global: { ...proxyFlags(g), propagation: g?.disable_propagation !== true, semconv127: g?.semantic_convention === '1.27' },
    proxy: proxyFlags(r.layers?.proxy),
    backend: backendFlags(r.layers?.backend),
    otlp,
    prometheus,
  };
}
