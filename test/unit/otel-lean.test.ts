// The request-path shortcuts of telemetry/opentelemetry against the SDK parts they replace:
// LeanHistogram against the SDK's explicit-bucket histogram (same values, one Prometheus
// reader each, the same text), the lean tracer's traceparent and tracestate against the W3C
// propagator, its pooled CSPRNG ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator, TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { LeanProducer } from '../../src/observability/otel/lean-histogram.js';
import { compileOutcomeSeries, compileServerSeries, outcomeIndex } from '../../src/observability/otel/series-cache.js';
import { LeanTracer, type LeanSpan } from '../../src/observability/otel/lean-tracer.js';
import { remoteParent } from '../../src/observability/otel/span-parts.js';

const BOUNDS = [0.01, 0.05, 0.1, 0.5, 1];
// Bucket edges exactly (inclusive upper bounds), inside, beyond the last, zero; a negative and NaN (dropped by both).
const VALUES = [0, 0.01, 0.010001, 0.05, 0.07, 0.1, 0.3, 0.5, 0.9999, 1, 1.5, 42, -1, Number.NaN];

async function prometheusText(setup: (mp: MeterProvider, lean: LeanProducer) => void): Promise<string> {
  const lean = new LeanProducer({ name: 'rampart', version: '1' });
  const reader = new PrometheusExporter({ preventServerStart: true, metricProducers: [lean] });
  const mp = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 't' }), readers: [reader] });
  setup(mp, lean);
  const { resourceMetrics } = await reader.collect();
  await mp.shutdown();
  return new PrometheusSerializer('', false, /^service\.name$/).serialize(resourceMetrics);
}

test('LeanHistogram gives the text the SDK histogram gives for the same records', async () => {
  const attrSets = [
    { 'http.request.method': 'GET', 'http.route': '/a', 'http.response.status_code': 200 },
    { 'http.request.method': 'POST', 'http.route': '/b', 'http.response.status_code': 503 },
  ];
  const sdk = await prometheusText((mp) => {
    const h = mp
      .getMeter('rampart', '1')
      .createHistogram('krakend.proxy.duration', { unit: 's', description: 'd', advice: { explicitBucketBoundaries: BOUNDS } });
    for (const a of attrSets) for (const v of VALUES) h.record(v, a);
  });
  const lean = await prometheusText((_mp, p) => {
    const h = p.histogram('krakend.proxy.duration', { unit: 's', description: 'd' }, [1, 0.5, 0.1, 0.05, 0.01, Infinity]);
    for (const a of attrSets) {
      const s = h.series(a);
      for (const v of VALUES) s.record(v);
    }
  });
  assert.ok(sdk.includes('krakend_proxy_duration_bucket'), sdk);
  assert.equal(lean, sdk);
});

test('series never recorded are left out; a histogram with none is absent', async () => {
  const text = await prometheusText((_mp, p) => {
    const h = p.histogram('krakend.backend.duration', { unit: 's', description: 'd' }, BOUNDS);
    const cells = compileOutcomeSeries(h, { 'krakend.endpoint.route': '/x' });
    cells[outcomeIndex(true, false, false)].record(0.2);
    p.histogram('http.server.duration', { unit: 's', description: 'd' }, BOUNDS);
  });
  assert.equal(text.match(/krakend_backend_duration_count\{/g)?.length, 1);
  assert.match(text, /krakend_backend_duration_count\{krakend_endpoint_route="\/x",error="true",canceled="false",complete="false",[^}]*\} 1/);
  assert.doesNotMatch(text, /http_server_duration/);
});

test('server series: one per route, method and status, the same object on every request', async () => {
  const p = new LeanProducer({ name: 'rampart' });
  const d = p.histogram('http.server.duration', { unit: 's', description: 'd' }, BOUNDS);
  const pick = compileServerSeries(d, undefined, 'http', { team: 'x' });
  const a = pick('/a', 'GET', 200);
  assert.equal(pick('/a', 'GET', 200), a);
  assert.notEqual(pick('/a', 'GET', 404), a);
  assert.notEqual(pick('/a', 'POST', 200), a);
  assert.equal(a.size, undefined);
  a.duration!.record(0.02);
  const { resourceMetrics } = await p.collect();
  const point = resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0];
  assert.deepEqual(point.attributes, { 'http.request.method': 'GET', 'url.scheme': 'http', 'http.route': '/a', 'http.response.status_code': 200, team: 'x' });
});

test('past 2000 series a histogram folds new attribute sets into one overflow series', () => {
  const p = new LeanProducer({ name: 'rampart' });
  const h = p.histogram('h', { unit: 's', description: 'd' }, BOUNDS);
  for (let i = 0; i < 2000; i++) h.series({ i });
  const over = h.series({ i: 2000 });
  assert.deepEqual(over.attributes, { 'otel.metric.overflow': true });
  assert.equal(h.series({ i: 2001 }), over);
});

const propagator = new W3CTraceContextPropagator();
const tracer = new LeanTracer({ resource: {}, scope: { name: 't', version: '0' }, sampleRate: 0.5, sinks: [], flushMs: 60_000 });

/** What the W3C propagator writes for the lean span's context. */
function injected(span: LeanSpan): Record<string, string> {
  const [traceId, spanId] = [span.traceparent().slice(3, 35), span.traceparent().slice(36, 52)];
  const ctx = trace.setSpan(
    ROOT_CONTEXT,
    trace.wrapSpanContext({
      traceId,
      spanId,
      traceFlags: span.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState: span.state ? new TraceState(span.state) : undefined,
    }),
  );
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, { set: (c, k, v) => (c[k] = v) });
  return carrier;
}

test('a lean span hands on what the W3C propagator would (sampled, unsampled, with tracestate); ids read back', () => {
  const parents = [
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
    { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' },
  ];
  for (const headers of parents) {
    const parent = remoteParent(headers);
    assert.ok(parent);
    const span = tracer.start(parent);
    const want = injected(span);
    assert.equal(span.traceparent(), want.traceparent);
    assert.equal(span.state, want.tracestate);
    assert.match(span.traceparent(), /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-0[01]$/);
    // And the propagator reads back the same context.
    const back = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, want, { keys: (c) => Object.keys(c), get: (c, k) => c[k as keyof typeof c] }));
    assert.equal(back?.spanId, span.traceparent().slice(36, 52));
  }
  assert.equal(tracer.start(remoteParent(parents[2])).state, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  // Invalid parents are not believed: all-zero ids, a bad version, garbage.
  for (const traceparent of ['00-00000000000000000000000000000000-b7ad6b7169203331-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x'])
    assert.equal(remoteParent({ traceparent }), undefined);
});

test('pooled CSPRNG ids: the right length, never all zero, no repeats across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const tp = tracer.start(undefined).traceparent();
    const [t, s] = [tp.slice(3, 35), tp.slice(36, 52)];
    assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    assert.notEqual(t, '0'.repeat(32));
    assert.notEqual(s, '0'.repeat(16));
    assert.ok(!seen.has(t) && !seen.has(s));
    seen.add(t);
    seen.add(s);
  }
});
