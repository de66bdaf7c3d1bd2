// telemetry/opentelemetry over real sockets (issue #15): traces reach a real OTLP/HTTP receiver
// (decoded with the OTLP protobuf definitions) with route-pattern names and parent/child links
// down to the backend's traceparent; a real Prometheus server scrapes the exporter; secrets never
// appear in spans or metrics; a client's trace context is believed only from a trusted proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';
import { startOtlpGrpcReceiver, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';

const SECRET = 'otel-secret-5521';
let be: TestBackend;
let otlp: OtlpReceiver;
let gw: RunningGateway;
let promPort: number;
let prom: PrometheusServer;

function otelConfig(extra: Record<string, unknown> = {}, router: Record<string, unknown> = {}) {
  return {
    version: 3,
    name: 'otel-test',
    host: [be.origin],
    extra_config: {
      router,
      'telemetry/opentelemetry': {
        service_name: 'rampart-otel-test',
        service_version: '9.9.9',
        deploy_env: 'test',
        trace_sample_rate: 1,
        layers: { global: { report_headers: true }, backend: { traces: { report_headers: true } } },
        exporters: {
          otlp: [{ name: 'local', host: `http://127.0.0.1`, port: otlp.port, use_http: true, disable_metrics: true }],
          prometheus: [{ name: 'prom', port: promPort }],
        },
        ...extra,
      },
    },
    endpoints: [
      { endpoint: '/users/{id}', input_headers: ['*'], input_query_strings: ['token'], backend: [{ url_pattern: '/u/{id}' }] },
      { endpoint: '/skipped', backend: [{ url_pattern: '/s' }] },
    ],
  };
}

before(async () => {
  be = await startBackend();
  otlp = await startOtlpReceiver();
  promPort = await freePort();
  gw = await startGateway(otelConfig({ skip_paths: ['/skipped'] }));
  prom = await startPrometheus([`127.0.0.1:${promPort}`]);
});

after(async () => {
  await prom?.stop();
  await gw?.stop();
  await otlp?.close();
  await be?.close();
});

async function spansOf(traceId: string, n: number): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 60; i++) {
    const s = otlp.spans.filter((x) => x.traceId === traceId);
    if (s.length >= n) return s;
    await sleep(100);
  }
  return otlp.spans.filter((x) => x.traceId === traceId);
}

test('one request: server, proxy and backend spans linked, named by route pattern; the backend gets the gateway traceparent', async () => {
  const n = be.seen.length;
  // A client traceparent from an untrusted peer is not believed (and not forwarded).
  const clientParent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const secrets = { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, 'x-api-key': SECRET, traceparent: clientParent };
  assert.equal((await http(gw.port, 'GET', `/users/42?token=${SECRET}`, secrets)).status, 200);
  const seen = be.seen[n];
  const tp = String(seen.headers.traceparent);
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(tp);
  assert.ok(m, `backend traceparent: ${tp}`);
  assert.equal(seen.rawHeaders.filter((h) => h.toLowerCase() === 'traceparent').length, 1, 'exactly one traceparent upstream');
  const [, traceId, backendSpanId] = m!;
  assert.notEqual(traceId, '0af7651916cd43dd8448eb211c80319c', 'the untrusted client trace context was believed');
  const spans = await spansOf(traceId, 3);
  const server = spans.find((s) => s.kind === 'SPAN_KIND_SERVER')!;
  const proxy = spans.find((s) => s.kind === 'SPAN_KIND_INTERNAL')!;
  const client = spans.find((s) => s.kind === 'SPAN_KIND_CLIENT')!;
  assert.ok(server && proxy && client, JSON.stringify(spans.map((s) => [s.name, s.kind])));
  assert.equal(server.name, 'GET /users/{id}');
  assert.equal(server.parentSpanId, '', 'a root span');
  assert.equal(server.attributes['http.route'], '/users/{id}');
  assert.equal(server.attributes['url.path'], '/users/42');
  assert.equal(server.attributes['http.response.status_code'], 200);
  assert.equal(proxy.parentSpanId, server.spanId);
  assert.equal(client.parentSpanId, proxy.spanId);
  assert.equal(client.spanId, backendSpanId, "the backend's traceparent names the client span");
  assert.equal(client.name, 'GET /u/{id}');
  assert.equal(client.attributes['url.template'], '/u/{id}');
  assert.equal(server.resource['service.name'], 'rampart-otel-test');
  assert.equal(server.resource['service.version'], '9.9.9');
  assert.equal(server.resource['deployment.environment'], 'test');
  // report_headers is on, yet no credential, cookie, key or query value is in any span.
  assert.equal(server.attributes['http.request.header.authorization'], undefined);
  for (const raw of otlp.raw) assert.ok(!raw.includes(SECRET), 'a secret reached a span');
});

test('skip_paths and unmatched routes: no span for a skipped endpoint; undeclared paths share one name', async () => {
  const before = otlp.spans.length;
  await http(gw.port, 'GET', '/skipped');
  for (let i = 0; i < 30; i++) await http(gw.port, 'GET', `/nope-${i}`);
  await sleep(1800);
  const added = otlp.spans.slice(before);
  assert.ok(!added.some((s) => s.name.includes('/skipped')), 'a skipped path was traced');
  const names = new Set(added.filter((s) => s.kind === 'SPAN_KIND_SERVER').map((s) => s.name));
  assert.deepEqual([...names], ['GET 404 Not Found']);
});

test('a real Prometheus server scrapes the exporter: request counts per route, one series for unmatched routes', async () => {
  for (let i = 0; i < 7; i++) await http(gw.port, 'GET', `/users/${i}?token=${SECRET}`);
  for (let i = 0; i < 100; i++) await http(gw.port, 'GET', `/scan-${i}`);
  const r = await prom.waitFor(
    'sum(http_server_duration_count{http_route="/users/{id}",http_response_status_code="200"})',
    (x) => x.length === 1 && Number(x[0].value[1]) >= 8,
  );
  assert.equal(Number(r[0].value[1]), 8, 'seven here plus one in the first test');
  const unmatched = await prom.query('count(http_server_duration_count{http_route="404 Not Found"})');
  assert.equal(Number(unmatched[0].value[1]), 1, 'hundreds of undeclared paths are one series');
  const backend = await prom.query('sum(krakend_backend_duration_count{url_template="/u/{id}"})');
  assert.equal(Number(backend[0].value[1]), 8);
  const res = await fetch(`http://127.0.0.1:${promPort}/metrics`);
  const text = await res.text();
  assert.ok(!text.includes(SECRET) && !text.includes('scan-'), 'a secret or a path reached the metrics');
  assert.match(text, /target_info\{[^}]*service_name="rampart-otel-test"/);
});

test('trace context from a trusted proxy is continued; trace_sample_rate 0 records no traces', async () => {
  const trusted = await startGateway(
    otelConfig(
      { exporters: { otlp: [{ name: 'l', host: 'http://127.0.0.1', port: otlp.port, use_http: true, disable_metrics: true }] } },
      { trusted_proxies: ['127.0.0.1/32'] },
    ),
  );
  try {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await http(trusted.port, 'GET', '/users/1', { traceparent: parent });
    const spans = await spansOf('4bf92f3577b34da6a3ce929d0e0e4736', 3);
    const server = spans.find((s) => s.kind === 'SPAN_KIND_SERVER');
    assert.ok(server, 'the trusted parent was not continued');
    assert.equal(server!.parentSpanId, '00f067aa0ba902b7');
  } finally {
    await trusted.stop();
  }
  const none = await startGateway(
    otelConfig({
      trace_sample_rate: 0,
      exporters: { otlp: [{ name: 'l', host: 'http://127.0.0.1', port: otlp.port, use_http: true, disable_metrics: true }] },
    }),
  );
  try {
    const n = be.seen.length;
    const before = otlp.spans.length;
    await http(none.port, 'GET', '/users/1');
    await sleep(1800);
    assert.equal(otlp.spans.length, before, 'trace_sample_rate 0 still traced');
    assert.equal(be.seen[n].headers.traceparent, undefined);
  } finally {
    await none.stop();
  }
});

test('under --workers 2, one Prometheus scrape shows the whole node', async () => {
  const port = await freePort();
  const cfg = otelConfig({ exporters: { prometheus: [{ name: 'p', port }] } });
  const w2 = await startGateway(cfg, { workers: 2 });
  try {
    for (let i = 0; i < 200 && !w2.output().includes('rampart listening (cluster)'); i++) await sleep(25);
    for (let i = 0; i < 30; i++) await http(w2.port, 'GET', `/users/${i}`);
    await sleep(300);
    const pids = new Set(
      w2
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"access"'))
        .map((l) => JSON.parse(l).pid),
    );
    assert.equal(pids.size, 2, 'both workers served');
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('http_server_duration_count{') && l.includes('http_route="/users/{id}"'));
    assert.ok(line, text.slice(0, 2000));
    assert.equal(Number(line!.split(' ').pop()), 30);
  } finally {
    await w2.stop();
  }
});

test('OTLP over gRPC (the default transport) with telemetry/opentelemetry-security metadata, and its headers over HTTP', async () => {
  const KEY = 'otlp-api-key-6620';
  const grpcRx = await startOtlpGrpcReceiver();
  const cfg = otelConfig({
    exporters: {
      otlp: [
        { name: 'grpc', host: '127.0.0.1', port: grpcRx.port, disable_metrics: true },
        { name: 'http', host: 'http://127.0.0.1', port: otlp.port, use_http: true, disable_metrics: true },
      ],
    },
  });
  (cfg.extra_config as Record<string, unknown>)['telemetry/opentelemetry-security'] = {
    otlp: [
      { name: 'grpc', headers: { 'X-Api-Key': KEY } },
      { name: 'http', headers: { 'X-Api-Key': KEY } },
    ],
  };
  const g = await startGateway(cfg);
  try {
    const n = be.seen.length;
    const httpHeadersBefore = otlp.headers.length;
    await http(g.port, 'GET', '/users/5');
    const traceId = /^00-([0-9a-f]{32})-/.exec(String(be.seen[n].headers.traceparent))![1];
    for (let i = 0; i < 60 && grpcRx.spans.filter((s) => s.traceId === traceId).length < 3; i++) await sleep(100);
    const spans = grpcRx.spans.filter((s) => s.traceId === traceId);
    assert.deepEqual(spans.map((s) => s.kind).sort(), ['SPAN_KIND_CLIENT', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER']);
    assert.equal(spans.find((s) => s.kind === 'SPAN_KIND_SERVER')!.name, 'GET /users/{id}');
    assert.ok(
      grpcRx.headers.some((h) => h['x-api-key'] === KEY),
      'the gRPC metadata did not carry the key',
    );
    await spansOf(traceId, 3);
    assert.ok(
      otlp.headers.slice(httpHeadersBefore).some((h) => h['x-api-key'] === KEY),
      'the HTTP export did not carry the key',
    );
    assert.ok(!g.output().includes(KEY), 'the exporter key reached the log');
  } finally {
    await g.stop();
    await grpcRx.close();
  }
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'check',
      '-c',
      writeConfig({
        version: 3,
        endpoints: [],
        extra_config: {
          'telemetry/opentelemetry': { exporters: { otlp: [{ name: 'a', host: 'x' }] } },
          'telemetry/opentelemetry-security': { otlp: [{ name: 'b', headers: { k: 'v' } }] },
        },
      }),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /telemetry~1opentelemetry-security\/otlp\/0\/name: no otlp exporter named "b"/);
});

test('a typo or an override without the service block stops startup with its pointer', async () => {
  const cases: [object, RegExp][] = [
    [
      { version: 3, endpoints: [], extra_config: { 'telemetry/opentelemetry': { exporters: { otlp: [{ name: 'a', host: 'x', use_htp: true }] } } } },
      /exporters\/otlp\/0\/use_htp: unknown field "use_htp" \(did you mean "use_http"\?\)/,
    ],
    [
      { version: 3, endpoints: [], extra_config: { 'telemetry/opentelemetry': { exporters: { prometheus: [{ name: 'a' }, { name: 'a' }] } } } },
      /exporters\/prometheus\/1\/name: exporter name "a" is used twice/,
    ],
    [
      {
        version: 3,
        endpoints: [
          {
            endpoint: '/x',
            backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/x' }],
            extra_config: { 'telemetry/opentelemetry': { proxy: { disable_traces: true } } },
          },
        ],
      },
      /endpoints\/0\/extra_config\/telemetry~1opentelemetry: an override without the service-level/,
    ],
  ];
  for (const [cfg, expected] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig(cfg)], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
  }
});
