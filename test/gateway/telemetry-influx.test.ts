// telemetry/influx against a recording InfluxDB-style receiver (issue #15): the metrics collector
// pushed as line protocol every ttl, with basic credentials that are never logged; node-wide and
// pushed once under --workers 2. And the unimplemented telemetry namespaces say what to write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';

const SECRET = 'influx-pw-7702';

async function receiver() {
  const writes: { url: string; auth: string | undefined; body: string; at: number }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      writes.push({ url: req.url ?? '', auth: req.headers.authorization, body, at: Date.now() });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { writes, port: (server.address() as { port: number }).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function config(origin: string, influxPort: number) {
  return {
    version: 3,
    host: [origin],
    endpoints: [{ endpoint: '/ok', backend: [{ url_pattern: '/ok' }] }],
    extra_config: {
      'telemetry/metrics': { collection_time: '100ms', listen_address: '127.0.0.1:0' },
      'telemetry/influx': { address: `http://127.0.0.1:${influxPort}`, ttl: '1s', db: 'gw', username: 'writer', password: SECRET },
    },
  };
}

const countOf = (body: string, name: string) =>
  Number(new RegExp(`^krakend_counter,name=${name.replace(/[./{}]/g, (c) => '\\' + c)} value=(\\d+)i \\d+$`, 'm').exec(body)?.[1]);

test('the collector is written as line protocol every ttl, with basic credentials never logged', async () => {
  const be = await startBackend();
  const rx = await receiver();
  const gw = await startGateway(config(be.origin, rx.port));
  try {
    for (let i = 0; i < 3; i++) await http(gw.port, 'GET', '/ok');
    await sleep(2300);
    assert.ok(rx.writes.length >= 2, `${rx.writes.length} writes`);
    const last = rx.writes[rx.writes.length - 1];
    assert.equal(last.url, '/write?db=gw&precision=ms');
    assert.equal(last.auth, `Basic ${Buffer.from(`writer:${SECRET}`).toString('base64')}`);
    assert.equal(countOf(last.body, 'krakend.router.response./ok.status.200.count'), 3);
    assert.match(last.body, /^krakend_histogram,name=krakend\.router\.response\.\/ok\.time count=3i,min=[\d.]+,max=/m);
    assert.ok(!gw.output().includes(SECRET));
  } finally {
    await gw.stop();
    await rx.close();
    await be.close();
  }
});

test('under --workers 2 the primary pushes the node-wide values, once per ttl', async () => {
  const be = await startBackend();
  const rx = await receiver();
  const gw = await startGateway(config(be.origin, rx.port), { workers: 2 });
  try {
    for (let i = 0; i < 200 && !gw.output().includes('rampart listening (cluster)'); i++) await sleep(25);
    for (let i = 0; i < 20; i++) await http(gw.port, 'GET', '/ok');
    const n = rx.writes.length;
    await sleep(3200);
    const writes = rx.writes.slice(n);
    assert.ok(writes.length >= 2 && writes.length <= 4, `${writes.length} writes in 3.2 s (one writer expected)`);
    assert.equal(countOf(writes[writes.length - 1].body, 'krakend.router.response./ok.status.200.count'), 20);
  } finally {
    await gw.stop();
    await rx.close();
    await be.close();
  }
});

test('influx needs telemetry/metrics; unimplemented telemetry namespaces say what to write instead', async () => {
  const port = await freePort();
  const cases: [object, RegExp][] = [
    [{ 'telemetry/influx': { address: `http://127.0.0.1:${port}` } }, /telemetry~1influx: needs telemetry\/metrics/],
    [{ 'telemetry/newrelic': {} }, /not implemented by Rampart; .*otlp\.nr-data\.net/],
    [{ 'telemetry/opencensus': { exporters: {} } }, /telemetry~1opencensus\/exporters: no exporter Rampart can run/],
    [
      { 'telemetry/opencensus': { exporters: { prometheus: { port: 9091 }, jaeger: { endpoint: 'http://j:14268' } } } },
      /exporters\/jaeger: the OpenCensus jaeger exporter has no Rampart equivalent; write instead: "telemetry\/opentelemetry": \{"exporters": \{"otlp"/,
    ],
  ];
  for (const [extra, expected] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig({ version: 3, endpoints: [], extra_config: extra })], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
  }
});

test("telemetry/opencensus with a prometheus exporter runs as OpenTelemetry's Prometheus exporter", async () => {
  const be = await startBackend();
  const port = await freePort();
  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/ok', backend: [{ url_pattern: '/ok' }] }],
    extra_config: {
      'telemetry/opencensus': {
        sample_rate: 100,
        enabled_layers: { router: true, pipe: false, backend: true },
        exporters: { prometheus: { port, tag_path: true } },
      },
    },
  });
  try {
    for (let i = 0; i < 4; i++) await http(gw.port, 'GET', '/ok');
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('http_server_duration_count{') && l.includes('http_route="/ok"'));
    assert.equal(Number(line?.split(' ').pop()), 4, text.slice(0, 1500));
    assert.ok(!text.includes('krakend_proxy_duration'), 'enabled_layers.pipe false still measured the proxy layer');
    assert.ok(text.includes('krakend_backend_duration'));
    assert.match(gw.output(), /telemetry~1opencensus: read as telemetry\/opentelemetry/);
  } finally {
    await gw.stop();
    await be.close();
  }
});
