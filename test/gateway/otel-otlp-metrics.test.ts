// telemetry/opentelemetry's request histograms over OTLP/HTTP (issue #15, after the lean
// aggregation of src/observability/otel/lean-histogram.ts): a real exporter's export requests,
// decoded with the OTLP metrics protobuf definitions, carry the server, proxy and backend
// histograms per route pattern, cumulative, with the configured buckets and consistent counts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import protobuf from 'protobufjs';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

const root = protobuf.loadSync(fileURLToPath(new URL('../helpers/otlp-metrics.proto', import.meta.url)));
const Request = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');

interface Point {
  metric: string;
  unit: string;
  temporality: string;
  attributes: Record<string, unknown>;
  count: number;
  sum: number;
  bucketCounts: number[];
  bounds: number[];
}

let be: TestBackend;
let gw: RunningGateway;
let rx: Server;
let rxPort = 0;
let latest: Point[] = [];

function value(v: Record<string, unknown> | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  return v.doubleValue;
}

function decode(body: Buffer): Point[] {
  const msg = Request.toObject(Request.decode(body), { longs: Number, enums: String, defaults: true }) as { resourceMetrics: any[] };
  const out: Point[] = [];
  for (const rm of msg.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) {
        if (!m.histogram) continue;
        for (const p of m.histogram.dataPoints) {
          const attributes: Record<string, unknown> = {};
          for (const a of p.attributes) attributes[a.key] = value(a.value);
          out.push({
            metric: m.name,
            unit: m.unit,
            temporality: m.histogram.aggregationTemporality,
            attributes,
            count: p.count,
            sum: p.sum,
            bucketCounts: p.bucketCounts,
            bounds: p.explicitBounds,
          });
        }
      }
  return out;
}

before(async () => {
  be = await startBackend();
  rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/metrics') latest = decode(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
      res.end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  rxPort = (rx.address() as { port: number }).port;
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      'telemetry/opentelemetry': {
        metric_reporting_period: 1,
        histograms: { time_buckets: [0.5, 1, 5] },
        exporters: { otlp: [{ name: 'rx', host: 'http://127.0.0.1', port: rxPort, use_http: true, disable_traces: true }] },
      },
    },
    endpoints: [{ endpoint: '/users/{id}', backend: [{ url_pattern: '/u/{id}' }] }],
  });
});

after(async () => {
  await gw?.stop();
  await new Promise<void>((r) => rx?.close(() => r()));
  await be?.close();
});

test('OTLP/HTTP metric exports carry the request histograms per route pattern, cumulative', async () => {
  for (const id of ['1', '2', '3']) assert.equal((await http(gw.port, 'GET', `/users/${id}`)).status, 200);
  assert.equal((await http(gw.port, 'GET', '/nope')).status, 404);
  const want = (p: Point) => p.metric === 'http.server.duration' && p.attributes['http.route'] === '/users/{id}' && p.count === 3;
  for (let i = 0; i < 50 && !latest.some(want); i++) await sleep(100);
  const server = latest.find(want);
  assert.ok(server, `no export with the three requests: ${JSON.stringify(latest)}`);
  assert.deepEqual(server.attributes, { 'http.request.method': 'GET', 'url.scheme': 'http', 'http.route': '/users/{id}', 'http.response.status_code': 200 });
  assert.equal(server.unit, 's');
  assert.equal(server.temporality, 'AGGREGATION_TEMPORALITY_CUMULATIVE');
  assert.deepEqual(server.bounds, [0.5, 1, 5]);
  assert.equal(server.bucketCounts.length, 4);
  assert.equal(
    server.bucketCounts.reduce((a, b) => a + b, 0),
    3,
  );
  assert.ok(server.sum > 0 && server.sum < 15);
  const unmatched = latest.filter((p) => p.metric === 'http.server.duration' && p.attributes['http.route'] === '404 Not Found');
  assert.equal(unmatched.length, 1);
  assert.equal(unmatched[0].count, 1);
  const size = latest.find((p) => p.metric === 'http.server.response.size' && p.attributes['http.route'] === '/users/{id}');
  assert.equal(size?.unit, 'By');
  assert.equal(size?.count, 3);
  const proxy = latest.filter((p) => p.metric === 'krakend.proxy.duration');
  assert.equal(proxy.length, 1, 'one outcome series: the seven never recorded are left out');
  assert.deepEqual(proxy[0].attributes, {
    'krakend.endpoint.route': '/users/{id}',
    'krakend.endpoint.method': 'GET',
    error: false,
    canceled: false,
    complete: true,
  });
  const backend = latest.find((p) => p.metric === 'krakend.backend.duration');
  assert.equal(backend?.attributes['url.template'], '/u/{id}');
  assert.equal(backend?.count, 3);
});
