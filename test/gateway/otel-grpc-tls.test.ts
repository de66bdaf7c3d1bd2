// OTLP over gRPC with TLS when the exporter's host says https:// (issue #15 item 4; KrakenD uses
// plaintext whatever the scheme): a real TLS gRPC receiver on loopback (@grpc/grpc-js, a server
// certificate from a CA made with openssl in this test) receives the spans, decoded with the
// OTLP protobuf definitions; the CA is given the SDK's way (OTEL_EXPORTER_OTLP_CERTIFICATE).
// Without it the receiver's certificate is not trusted and nothing is sent: no silent fallback
// to plaintext or to an unverified connection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { startOtlpGrpcReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { Pki, type Ca } from '../transport/helpers/pki.js';

let be: TestBackend;
let rx: OtlpReceiver;
let ca: Ca;

before(async () => {
  const pki = new Pki();
  ca = pki.ca('otlp');
  const leaf = pki.issue(ca, 'localhost', { usage: 'server', dns: ['localhost'], ips: ['127.0.0.1'] });
  be = await startBackend();
  rx = await startOtlpGrpcReceiver({ cert: leaf.cert, key: leaf.key });
});

after(async () => {
  await rx?.close();
  await be?.close();
});

function config() {
  return {
    version: 3,
    host: [be.origin],
    extra_config: {
      'telemetry/opentelemetry': {
        service_name: 'tls-grpc',
        trace_sample_rate: 1,
        exporters: { otlp: [{ name: 'secure', host: 'https://127.0.0.1', port: rx.port, disable_metrics: true }] },
      },
    },
    endpoints: [{ endpoint: '/t/{id}', backend: [{ url_pattern: '/t/{id}' }] }],
  };
}

async function traceOf(port: number, path: string): Promise<string> {
  const n = be.seen.length;
  assert.equal((await http(port, 'GET', path)).status, 200);
  return /^00-([0-9a-f]{32})-/.exec(String(be.seen[n].headers.traceparent))![1];
}

test('an https:// gRPC host is reached over TLS, verified against the configured CA', async () => {
  const g = await startGateway(config(), { env: { OTEL_EXPORTER_OTLP_CERTIFICATE: ca.certFile } });
  try {
    const traceId = await traceOf(g.port, '/t/1');
    for (let i = 0; i < 80 && rx.spans.filter((s) => s.traceId === traceId).length < 3; i++) await sleep(100);
    const spans = rx.spans.filter((s) => s.traceId === traceId);
    assert.deepEqual(spans.map((s) => s.kind).sort(), ['SPAN_KIND_CLIENT', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER']);
    const server = spans.find((s) => s.kind === 'SPAN_KIND_SERVER')!;
    assert.equal(server.name, 'GET /t/{id}');
    assert.equal(server.resource['service.name'], 'tls-grpc');
    assert.equal(spans.find((s) => s.kind === 'SPAN_KIND_CLIENT')!.parentSpanId, spans.find((s) => s.kind === 'SPAN_KIND_INTERNAL')!.spanId);
  } finally {
    await g.stop();
  }
});

test('a receiver whose certificate the gateway does not trust gets nothing', async () => {
  const before = rx.spans.length;
  const g = await startGateway(config());
  try {
    await traceOf(g.port, '/t/2');
    await sleep(2500);
    assert.equal(rx.spans.length, before, 'spans went to an untrusted TLS receiver');
  } finally {
    await g.stop();
  }
});
