// telemetry/opentelemetry `detailed_connection` (KrakenD's krakend-otel httptrace detail), over
// real sockets: the gateway calls an HTTPS backend named `localhost` (so a DNS lookup and a TLS
// handshake happen) through a private CA. The first call opens the connection: its client span
// (decoded with the OTLP protobuf definitions) carries get-conn-, dns- and tls-duration above 0 and
// a first-byte-time event inside the span; the next call reuses the connection: DNS and TLS 0, as
// Go's httptrace reports a reused connection. The Prometheus exporter shows KrakenD's three
// histograms with both calls. A backend without the flag gets none of it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { Pki } from '../transport/helpers/pki.js';

let pki: Pki;
let backend: Server;
let otlp: OtlpReceiver;
let gw: RunningGateway;
let promPort: number;

before(async () => {
  pki = new Pki();
  const ca = pki.ca('upstream');
  const leaf = pki.issue(ca, 'backend', { usage: 'server', dns: ['localhost'], ips: ['127.0.0.1'] });
  backend = createServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const host = `https://localhost:${(backend.address() as AddressInfo).port}`;
  otlp = await startOtlpReceiver();
  promPort = await freePort();
  gw = await startGateway({
    version: 3,
    name: 'conn-detail',
    client_tls: { ca_certs: [ca.certFile], disable_system_ca_pool: true },
    extra_config: {
      'telemetry/opentelemetry': {
        trace_sample_rate: 1,
        exporters: {
          otlp: [{ name: 'l', host: 'http://127.0.0.1', port: otlp.port, use_http: true, disable_metrics: true }],
          prometheus: [{ name: 'p', port: promPort }],
        },
        layers: { backend: { metrics: { detailed_connection: true }, traces: { detailed_connection: true } } },
      },
    },
    endpoints: [
      { endpoint: '/detail', backend: [{ host: [host], url_pattern: '/d' }] },
      {
        endpoint: '/plain',
        backend: [{ host: [host], url_pattern: '/p', extra_config: { 'telemetry/opentelemetry': { backend: { metrics: {}, traces: {} } } } }],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await otlp?.close();
  await new Promise<void>((r) => backend?.close(() => r()));
});

async function clientSpan(name: string, n: number): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 60; i++) {
    const s = otlp.spans.filter((x) => x.name === name);
    if (s.length >= n) return s;
    await sleep(100);
  }
  return otlp.spans.filter((x) => x.name === name);
}

test('detailed_connection: the call that opens a connection reports DNS and TLS; a reused one reports 0', async () => {
  assert.equal((await http(gw.port, 'GET', '/detail')).status, 200);
  assert.equal((await http(gw.port, 'GET', '/detail')).status, 200);
  const spans = await clientSpan('GET /d', 2);
  assert.equal(spans.length, 2);
  const [first, second] = spans.sort((a, b) => (BigInt(a.start) < BigInt(b.start) ? -1 : 1));
  for (const s of [first, second]) {
    for (const k of ['get-conn-duration', 'dns-duration', 'tls-duration']) assert.equal(typeof s.attributes[k], 'number', `${k} on ${s.spanId}`);
    const fb = s.events.find((e) => e.name === 'first-byte-time');
    assert.ok(fb, 'a first-byte-time event');
    assert.ok(BigInt(fb.time) >= BigInt(s.start) && BigInt(fb.time) <= BigInt(s.end), 'the first byte arrives within the span');
  }
  const a = first.attributes as Record<string, number>;
  assert.ok(a['dns-duration'] > 0, `DNS lookup of localhost timed: ${a['dns-duration']}`);
  assert.ok(a['tls-duration'] > 0, `TLS handshake timed: ${a['tls-duration']}`);
  assert.ok(a['get-conn-duration'] >= a['tls-duration'], 'getting the connection includes its handshake');
  const b = second.attributes as Record<string, number>;
  assert.equal(b['dns-duration'], 0, 'a reused connection has no DNS lookup');
  assert.equal(b['tls-duration'], 0, 'a reused connection has no handshake');
  assert.ok(b['get-conn-duration'] < a['get-conn-duration'], 'a reused connection is got faster than a new one');
});

test('detailed_connection: KrakenD histograms on the Prometheus exporter; a backend without the flag adds none', async () => {
  assert.equal((await http(gw.port, 'GET', '/plain')).status, 200);
  const spans = await clientSpan('GET /p', 1);
  assert.equal(spans.length, 1);
  assert.equal(spans[0].attributes['dns-duration'], undefined, 'no detail without the flag');
  assert.equal(spans[0].events.length, 0);
  const text = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
  for (const m of ['http_client_request_get_conn_duration', 'http_client_request_dns_duration', 'http_client_request_tls_duration']) {
    const count = new RegExp(`^${m}(?:_seconds)?_count\\{([^}]*)\\} (\\d+)`, 'm').exec(text);
    assert.ok(
      count,
      `${m} exported:\n${text
        .split('\n')
        .filter((l) => l.includes('http_client'))
        .join('\n')}`,
    );
    assert.match(count[1], /url_template="\/d"/);
    assert.equal(Number(count[2]), 2, `${m}: both /detail calls, none of /plain`);
  }
});
