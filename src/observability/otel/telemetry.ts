// The OpenTelemetry runtime of one process (telemetry/opentelemetry): a tracer (none when
// trace_sample_rate is 0 or no exporter takes traces), the instruments of the three layers, the
// OTLP exporters, and the Prometheus reader that /metrics serializes. Loaded only when a config
// uses the namespace (the SDK costs a start ~100 ms). Nothing here sees a request's query string,
// credentials or body: attributes are route patterns, methods, statuses and declared attributes.
import { hostname } from 'node:os';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { OtelSettings } from '../../config/normalize-otel.js';
import { VERSION } from '../../core/version.js';
import { LeanProducer, type LeanHistogram } from './lean-histogram.js';
import { LeanTracer, type TraceSink } from './lean-tracer.js';
import { grpcTraceSink, httpTraceSink } from './trace-senders.js';

export interface ConnectionHistograms {
  getConn: LeanHistogram;
  dns: LeanHistogram;
  tls: LeanHistogram;
}

export interface Telemetry {
  readonly settings: OtelSettings;
  /** Undefined: no traces (sample rate 0, or no exporter takes them). */
  readonly tracer: LeanTracer | undefined;
  // Aggregated outside the SDK (lean-histogram.ts says why); its readers collect them.
  readonly serverDuration: LeanHistogram | undefined;
  readonly serverSize: LeanHistogram | undefined;
  readonly proxyDuration: LeanHistogram | undefined;
  readonly backendDuration: LeanHistogram | undefined;
  /** detailed_connection (KrakenD's names): connection wait, DNS lookup, TLS handshake per call. */
  readonly connection: ConnectionHistograms | undefined;
  /** Prometheus text of this process, when a Prometheus exporter is declared. */
  readonly prometheusText: (() => Promise<string>) | undefined;
  shutdown(): Promise<void>;
}

/** A named export of a CommonJS package imported from ESM (its names may sit on `default`). */
async function load<T>(pkg: Promise<Record<string, unknown>>, name: string): Promise<T> {
  const m = await pkg;
  return (m[name] ?? (m.default as Record<string, unknown> | undefined)?.[name]) as T;
}
type Ctor<T> = new (opts: { url: string; headers?: Record<string, string>; metadata?: unknown }) => T;

/** gRPC metadata for telemetry/opentelemetry-security headers (@grpc/grpc-js, loaded on use). */
async function grpcMetadata(headers: Readonly<Record<string, string>>): Promise<unknown> {
  if (Object.keys(headers).length === 0) return undefined;
  const Metadata = await load<new () => { set(k: string, v: string): void }>(import('@grpc/grpc-js'), 'Metadata');
  const m = new Metadata();
  for (const [k, v] of Object.entries(headers)) m.set(k.toLowerCase(), v);
  return m;
}

export async function startTelemetry(s: OtelSettings, opts: { dryRun: boolean }): Promise<Telemetry> {
  const resourceAttrs: Record<string, string> = {
    'service.name': s.serviceName,
    ...(s.serviceVersion ? { 'service.version': s.serviceVersion } : {}),
    ...(s.deployEnv ? { 'deployment.environment': s.deployEnv } : {}),
    // One instance per node: every worker's series are the same series, merged by the primary.
    'service.instance.id': hostname(),
    'telemetry.sdk.name': 'rampart',
    'telemetry.sdk.version': VERSION,
  };
  const resource = resourceFromAttributes(resourceAttrs);
  const readers: IMetricReader[] = [];
  const lean = new LeanProducer({ name: 'rampart', version: VERSION });
  const metricProducers = [lean];
  const sinks: TraceSink[] = [];
  const closers: (() => Promise<void>)[] = [];
  if (!opts.dryRun) {
    for (const o of s.otlp) {
      if (o.traces && s.sampleRate > 0) sinks.push(o.grpc ? await grpcTraceSink(o.url, await grpcMetadata(o.headers)) : await httpTraceSink(o.url, o.headers));
      if (o.metrics) {
        const Exporter = o.grpc
          ? await load<Ctor<PushMetricExporter>>(import('@opentelemetry/exporter-metrics-otlp-grpc'), 'OTLPMetricExporter')
          : await load<Ctor<PushMetricExporter>>(import('@opentelemetry/exporter-metrics-otlp-proto'), 'OTLPMetricExporter');
        const exporter = new Exporter(
          o.grpc ? { url: o.url, metadata: await grpcMetadata(o.headers) } : { url: `${o.url}/v1/metrics`, headers: { ...o.headers } },
        );
        readers.push(
          new PeriodicExportingMetricReader({
            exporter,
            metricProducers,
            exportIntervalMillis: o.reportingMs,
            exportTimeoutMillis: Math.min(o.reportingMs, 10_000),
          }),
        );
      }
    }
  }
  let prometheusText: (() => Promise<string>) | undefined;
  if (s.prometheus.some((p) => p.metrics)) {
    const reader = new PrometheusExporter({ preventServerStart: true, metricProducers });
    readers.push(reader);
    // service_name on every series, so one dashboard can tell gateways apart (target_info has the rest).
    const serializer = new PrometheusSerializer('', false, /^service\.name$/);
    prometheusText = async () => {
      const { resourceMetrics } = await reader.collect();
      return serializer.serialize(resourceMetrics);
    };
  }
  const meterProvider = readers.length ? new MeterProvider({ resource, readers }) : undefined;
  const meter = meterProvider?.getMeter('rampart', VERSION);
  const time = (description: string) => ({ unit: 's', description });
  const size = (description: string) => ({ unit: 'By', description });
  const g127 = s.global.semconv127;
  const serverDuration =
    meter && s.global.metrics
      ? lean.histogram(g127 ? 'http.server.request.duration' : 'http.server.duration', time('Duration of the requests the gateway answered'), s.timeBuckets)
      : undefined;
  const serverSize =
    meter && s.global.metrics
      ? lean.histogram(g127 ? 'http.server.response.body.size' : 'http.server.response.size', size('Size of the answers the gateway sent'), s.sizeBuckets)
      : undefined;
  const proxyDuration = meter ? lean.histogram('krakend.proxy.duration', time('Duration of the proxy layer of each endpoint'), s.timeBuckets) : undefined;
  const backendDuration = meter ? lean.histogram('krakend.backend.duration', time('Duration of each backend call'), s.timeBuckets) : undefined;
  // Made whatever the config (a histogram never recorded is left out of every export).
  const connection = meter
    ? {
        getConn: lean.histogram('http.client.request.get-conn.duration', time('Time spent acquiring a client connection'), s.timeBuckets),
        dns: lean.histogram('http.client.request.dns.duration', time('Time spent resolving the DNS name'), s.timeBuckets),
        tls: lean.histogram('http.client.request.tls.duration', time('Time spent on TLS negotiation and connection'), s.timeBuckets),
      }
    : undefined;
  if (meter && s.prometheus.some((p) => p.runtimeMetrics)) {
    const { monitorEventLoopDelay } = await import('node:perf_hooks');
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    closers.push(async () => void loop.disable());
    meter
      .createObservableGauge('process.memory.usage', { unit: 'By', description: 'Resident set size' })
      .addCallback((r) => r.observe(process.memoryUsage.rss()));
    meter.createObservableGauge('nodejs.heap.used', { unit: 'By' }).addCallback((r) => r.observe(process.memoryUsage().heapUsed));
    meter.createObservableCounter('process.cpu.time', { unit: 's' }).addCallback((r) => {
      const u = process.cpuUsage();
      r.observe(u.user / 1e6, { 'cpu.mode': 'user' });
      r.observe(u.system / 1e6, { 'cpu.mode': 'system' });
    });
    meter.createObservableGauge('nodejs.eventloop.delay.p99', { unit: 's' }).addCallback((r) => r.observe(loop.percentile(99) / 1e9));
  }
  // Spans are recorded and encoded by lean-tracer.ts (the SDK's Span objects cost more than the
  // plain route); batches leave every second, or at 2048 spans.
  const tracer =
    sinks.length && s.sampleRate > 0
      ? new LeanTracer({ resource: resourceAttrs, scope: { name: 'rampart', version: VERSION }, sampleRate: s.sampleRate, sinks, flushMs: 1000 })
      : undefined;
  return {
    settings: s,
    tracer,
    serverDuration,
    serverSize,
    proxyDuration,
    backendDuration,
    connection,
    prometheusText,
    async shutdown() {
      await Promise.allSettled([tracer?.shutdown(), meterProvider?.shutdown(), ...closers.map((c) => c())]);
    },
  };
}
