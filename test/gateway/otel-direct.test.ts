// telemetry on the direct path (issue #15 items 2 and 6): a no-op endpoint with one no-op backend
// keeps the direct path with telemetry/opentelemetry and telemetry/metrics on (their layers are
// call taps), and what they record there is what the general path records: linked spans decoded
// with the OTLP protobuf definitions, the gateway's traceparent (with a trusted tracestate) on the
// backend, a trusted unsampled parent honoured below sample rate 1, report_headers without
// credentials, and the pipe and backend meters. Plus the EE blocks Rampart refuses by name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';

const SECRET = 'direct-secret-7781';
let be: TestBackend;
let otlp: OtlpReceiver;
let gw: RunningGateway;
let statsPort: number;

function config(otel: Record<string, unknown>) {
  return {
    version: 3,
    name: 'otel-direct',
    host: [be.origin],
    extra_config: {
      router: { trusted_proxies: ['127.0.0.1/32'] },
      'telemetry/metrics': { collection_time: '100ms', listen_address: `127.0.0.1:${statsPort}` },
      'telemetry/opentelemetry': {
        service_name: 'direct',
        exporters: { otlp: [{ name: 'l', host: 'http://127.0.0.1', port: otlp.port, use_http: true, disable_metrics: true }] },
        ...otel,
      },
    },
    endpoints: [
      {
        endpoint: '/raw/{id}',
        output_encoding: 'no-op',
        input_headers: ['*'],
        backend: [{ url_pattern: '/r/{id}', encoding: 'no-op' }],
      },
    ],
  };
}

async function spansOf(traceId: string, n: number): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 60; i++) {
    const s = otlp.spans.filter((x) => x.traceId === traceId);
    if (s.length >= n) return s;
    await sleep(100);
  }
  return otlp.spans.filter((x) => x.traceId === traceId);
}

before(async () => {
  be = await startBackend();
  otlp = await startOtlpReceiver();
  statsPort = await freePort();
  gw = await startGateway(config({ trace_sample_rate: 0.5, layers: { global: { report_headers: true }, backend: { traces: { report_headers: true } } } }));
});

after(async () => {
  await gw?.stop();
  await otlp?.close();
  await be?.close();
});

test('direct path with OpenTelemetry: server → proxy → client spans, times nested, the trusted parent and tracestate passed on', async () => {
  const parent = '00-5bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b8-01';
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', `/raw/7?q=${SECRET}`, {
    traceparent: parent,
    tracestate: 'vendor=abc',
    authorization: `Bearer ${SECRET}`,
    cookie: `s=${SECRET}`,
    'x-request-note': 'kept',
  });
  assert.equal(r.status, 200);
  const seen = be.seen[n];
  const m = /^00-5bf92f3577b34da6a3ce929d0e0e4737-([0-9a-f]{16})-01$/.exec(String(seen.headers.traceparent));
  assert.ok(m, `backend traceparent ${seen.headers.traceparent}`);
  assert.equal(seen.headers.tracestate, 'vendor=abc');
  const spans = await spansOf('5bf92f3577b34da6a3ce929d0e0e4737', 3);
  const server = spans.find((s) => s.kind === 'SPAN_KIND_SERVER');
  const proxy = spans.find((s) => s.kind === 'SPAN_KIND_INTERNAL');
  const client = spans.find((s) => s.kind === 'SPAN_KIND_CLIENT');
  assert.ok(server && proxy && client, JSON.stringify(spans.map((s) => [s.name, s.kind])));
  assert.equal(server.name, 'GET /raw/{id}');
  assert.equal(server.parentSpanId, '00f067aa0ba902b8');
  assert.equal(proxy.name, 'GET /raw/{id} proxy');
  assert.equal(proxy.parentSpanId, server.spanId);
  assert.equal(client.name, 'GET /r/{id}');
  assert.equal(client.parentSpanId, proxy.spanId);
  assert.equal(client.spanId, m[1]);
  for (const s of spans) assert.equal(s.traceState, 'vendor=abc');
  assert.equal(server.attributes['url.path'], '/raw/7');
  assert.equal(server.attributes['http.route'], '/raw/{id}');
  assert.equal(server.attributes['http.request.method'], 'GET');
  assert.equal(server.attributes['http.response.status_code'], 200);
  assert.equal(server.attributes['client.address'], '127.0.0.1');
  assert.equal(server.attributes['http.request.header.x-request-note'], 'kept');
  assert.equal(client.attributes['http.response.status_code'], 200);
  assert.equal(client.attributes['url.template'], '/r/{id}');
  assert.deepEqual([proxy.attributes.error, proxy.attributes.canceled, proxy.attributes.complete], [false, false, true]);
  assert.equal(server.resource['service.name'], 'direct');
  assert.equal(server.scope.split('@')[0], 'rampart');
  // Nested in time: server ⊇ proxy ⊇ client, each with start ≤ end, near now.
  const t = (s: ReceivedSpan) => [BigInt(s.start), BigInt(s.end)];
  const [ss, se] = t(server);
  const [ps, pe] = t(proxy);
  const [cs, ce] = t(client);
  const slack = 1000n; // ns: times are doubles (~256 ns of precision at today's epoch)
  assert.ok(
    ss <= ps + slack && ps <= cs + slack && ce <= pe + slack && pe <= se + slack,
    JSON.stringify({ ss, ps, cs, ce, pe, se }, (_, v) => String(v)),
  );
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  assert.ok(nowNs - ss < 60_000_000_000n && ss <= nowNs + 1_000_000_000n, 'start time is not now');
  for (const raw of otlp.raw) assert.ok(!raw.includes(SECRET), 'a secret reached a span');
});

test('below sample rate 1 a trusted unsampled parent is honoured: the backend gets -00 and nothing is recorded', async () => {
  const n = be.seen.length;
  await http(gw.port, 'GET', '/raw/8', { traceparent: '00-6bf92f3577b34da6a3ce929d0e0e4738-00f067aa0ba902b9-00' });
  assert.match(String(be.seen[n].headers.traceparent), /^00-6bf92f3577b34da6a3ce929d0e0e4738-[0-9a-f]{16}-00$/);
  await sleep(1600);
  assert.equal(otlp.spans.filter((s) => s.traceId === '6bf92f3577b34da6a3ce929d0e0e4738').length, 0);
});

test('a failing backend on the direct path: error status on the client and proxy spans, 5xx on the server span', async () => {
  const port = await freePort();
  const cfg = config({ trace_sample_rate: 1 });
  (cfg.extra_config['telemetry/metrics'] as Record<string, unknown>).listen_address = `127.0.0.1:${await freePort()}`;
  (cfg.endpoints[0].backend[0] as Record<string, unknown>).host = [`http://127.0.0.1:${port}`];
  const g = await startGateway(cfg);
  try {
    const before = otlp.spans.length;
    assert.equal((await http(g.port, 'GET', '/raw/9')).status, 500);
    let spans: ReceivedSpan[] = [];
    for (let i = 0; i < 60 && spans.length < 3; i++) {
      await sleep(100);
      spans = otlp.spans.slice(before).filter((s) => s.name.includes('/r') || s.resource['service.name'] === 'direct');
    }
    const byKind = Object.fromEntries(spans.map((s) => [s.kind, s]));
    assert.equal(byKind.SPAN_KIND_CLIENT?.status, 'STATUS_CODE_ERROR');
    assert.equal(byKind.SPAN_KIND_CLIENT?.statusMessage, 'backend failed');
    assert.equal(byKind.SPAN_KIND_CLIENT?.attributes.error, true);
    assert.equal(byKind.SPAN_KIND_INTERNAL?.status, 'STATUS_CODE_ERROR');
    assert.equal(byKind.SPAN_KIND_SERVER?.status, 'STATUS_CODE_ERROR');
    assert.equal(byKind.SPAN_KIND_SERVER?.attributes['http.response.status_code'], 500);
  } finally {
    await g.stop();
  }
});

test('telemetry/metrics on the direct path: the pipe and backend meters count every call', async () => {
  for (let i = 0; i < 5; i++) await http(gw.port, 'GET', `/raw/${i}`);
  let s: Record<string, unknown> = {};
  for (let i = 0; i < 30; i++) {
    await sleep(150);
    s = JSON.parse((await http(statsPort, 'GET', '/__stats')).body) as Record<string, unknown>;
    if (Number(s['krakend.proxy.requests.layer.backend.name./r/{id}.complete.true.error.false'] ?? 0) >= 7) break;
  }
  // Seven: five here, two in the tests above on this gateway.
  assert.equal(s['krakend.proxy.requests.layer.pipe.name./raw/{id}.complete.true.error.false'], 7, JSON.stringify(Object.keys(s)));
  assert.equal(s['krakend.proxy.requests.layer.backend.name./r/{id}.complete.true.error.false'], 7);
});

test('refused by name with why: EE exporters_override and the EE backend-level telemetry/logging', () => {
  const cases: [object, RegExp][] = [
    [
      {
        version: 3,
        extra_config: { 'telemetry/opentelemetry': { exporters: { otlp: [{ name: 'a', host: 'x' }] } } },
        endpoints: [
          {
            endpoint: '/x',
            backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/x' }],
            extra_config: { 'telemetry/opentelemetry': { exporters_override: { trace_sample_rate: 1, trace_exporters: ['a'] } } },
          },
        ],
      },
      /endpoints\/0\/extra_config\/telemetry~1opentelemetry\/exporters_override: exporters_override \(KrakenD EE\) is not supported/,
    ],
    [
      {
        version: 3,
        endpoints: [
          {
            endpoint: '/x',
            backend: [{ host: ['http://127.0.0.1:1'], url_pattern: '/x', extra_config: { 'telemetry/logging': { log_with_level: 'INFO' } } }],
          },
        ],
      },
      /backend\/0\/extra_config\/telemetry~1logging: namespace "telemetry\/logging" is not allowed at backend level \(allowed: service\): the KrakenD EE backend log/,
    ],
  ];
  for (const [cfg, expected] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig(cfg)], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
  }
});
