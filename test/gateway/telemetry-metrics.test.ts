// `telemetry/metrics` over real sockets (issue #15): GET /__stats on its own loopback listener
// with KrakenD's metric names, bounded cardinality, no secrets, and one node-wide view under
// `--workers 2`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { freePort } from '../helpers/redis.js';

const SECRET = 'q-secret-4471';

function config(be: TestBackend, metricsPort: number, extra: object = {}): object {
  return {
    version: 3,
    host: [be.origin],
    endpoints: [
      { endpoint: '/ok/{id}', input_query_strings: ['token'], backend: [{ url_pattern: '/ok/{id}' }] },
      { endpoint: '/fail', backend: [{ url_pattern: '/fail' }] },
      { endpoint: '/raw', output_encoding: 'no-op', backend: [{ url_pattern: '/raw', encoding: 'no-op' }] },
    ],
    extra_config: { 'telemetry/metrics': { collection_time: '100ms', listen_address: `:${metricsPort}`, ...extra } },
  };
}

async function stats(port: number): Promise<Record<string, any>> {
  await sleep(150); // past collection_time
  const r = await http(port, 'GET', '/__stats');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /application\/json/);
  return JSON.parse(r.body);
}

function backend(): Promise<TestBackend> {
  return startBackend((req, res) => {
    const fail = req.url?.startsWith('/fail');
    res.writeHead(fail ? 500 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: !fail }));
  });
}

test('GET /__stats: router, pipe and backend metrics with KrakenD names, per route pattern', async () => {
  const be = await backend();
  const mport = await freePort();
  const gw = await startGateway(config(be, mport));
  try {
    for (let i = 0; i < 5; i++) assert.equal((await http(gw.port, 'GET', `/ok/${i}?token=${SECRET}`)).status, 200);
    assert.equal((await http(gw.port, 'GET', '/fail')).status, 500);
    assert.equal((await http(gw.port, 'GET', '/raw')).status, 200);
    // A scan of undeclared paths: one series, not one per path.
    for (let i = 0; i < 200; i++) await http(gw.port, 'GET', `/scan-${i}-${SECRET}`);
    const s = await stats(mport);
    assert.equal(s['krakend.router.response./ok/{id}.status.200.count'], 5);
    assert.equal(s['krakend.router.response./fail.status.500.count'], 1);
    assert.equal(s['krakend.router.response./raw.status.200.count'], 1);
    assert.equal(s['krakend.router.response.__unrouted.status.404.count'], 200);
    assert.equal(s['krakend.router.response./ok/{id}.time'].count, 5);
    assert.ok(s['krakend.router.response./ok/{id}.size'].min > 0, 'bytes written are measured');
    assert.equal(s['krakend.proxy.requests.layer.pipe.name./ok/{id}.complete.true.error.false'], 5);
    assert.equal(s['krakend.proxy.requests.layer.pipe.name./fail.complete.false.error.true'], 1);
    assert.equal(s['krakend.proxy.requests.layer.backend.name./ok/{id}.complete.true.error.false'], 5);
    assert.equal(
      s['krakend.proxy.requests.layer.backend.name./raw.complete.false.error.false'] +
        s['krakend.proxy.requests.layer.backend.name./raw.complete.true.error.false'],
      1,
    );
    assert.equal(s['krakend.proxy.latency.layer.pipe.name./ok/{id}.complete.true.error.false'].count, 5);
    assert.ok(s['krakend.router.connected-total'] >= 207);
    const text = JSON.stringify(s);
    assert.ok(!text.includes(SECRET), 'a query value or path reached the metrics');
    assert.ok(!text.includes('scan-'), 'an undeclared path became a series');
    // Only /__stats is served there.
    assert.equal((await http(mport, 'GET', '/')).status, 404);
    assert.equal((await http(mport, 'POST', '/__stats')).status, 404);
  } finally {
    await gw.stop();
    await be.close();
  }
});

test('listen_address ":PORT" binds loopback only (KrakenD: every interface); *_disabled switch layers off', async () => {
  const be = await backend();
  const mport = await freePort();
  const gw = await startGateway(config(be, mport, { proxy_disabled: true, backend_disabled: true }));
  try {
    const listeners = execFileSync('ss', ['-Hltn', `sport = :${mport}`], { encoding: 'utf8' });
    assert.match(listeners, new RegExp(`127\\.0\\.0\\.1:${mport}\\b`), listeners);
    assert.doesNotMatch(listeners, new RegExp(`(0\\.0\\.0\\.0|\\*|\\[::\\]):${mport}\\b`), listeners);
    await http(gw.port, 'GET', '/ok/1');
    const s = await stats(mport);
    assert.equal(s['krakend.router.response./ok/{id}.status.200.count'], 1);
    assert.ok(!Object.keys(s).some((k) => k.startsWith('krakend.proxy.')), Object.keys(s).join('\n'));
  } finally {
    await gw.stop();
  }
  const quiet = await startGateway(config(be, mport, { endpoint_disabled: true }));
  try {
    await assert.rejects(http(mport, 'GET', '/__stats'), /ECONNREFUSED/);
  } finally {
    await quiet.stop();
    await be.close();
  }
});

test('under --workers 2, one scrape shows the whole node', async () => {
  const be = await backend();
  const mport = await freePort();
  const gw = await startGateway(config(be, mport), { workers: 2 });
  try {
    for (let i = 0; i < 200 && !gw.output().includes('rampart listening (cluster)'); i++) await sleep(25);
    const N = 40;
    for (let i = 0; i < N; i++) assert.equal((await http(gw.port, 'GET', `/ok/${i}`)).status, 200);
    await sleep(300);
    const pids = new Set(
      gw
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"access"') && l.includes('/ok/'))
        .map((l) => JSON.parse(l).pid),
    );
    assert.equal(pids.size, 2, 'both workers served (otherwise this proves nothing)');
    const s = await stats(mport);
    assert.equal(s['krakend.router.response./ok/{id}.status.200.count'], N);
    assert.equal(s['krakend.router.response./ok/{id}.time'].count, N);
    assert.equal(s['krakend.proxy.requests.layer.backend.name./ok/{id}.complete.true.error.false'], N);
  } finally {
    await gw.stop();
    await be.close();
  }
});

test('a bad telemetry/metrics block stops startup with its pointer', async () => {
  const cases: [object, RegExp][] = [
    [{ listen_address: 'nohost' }, /\/extra_config\/telemetry~1metrics\/listen_address: /],
    [{ listen_address: 'example.com:8090' }, /listen_address: "example.com" is not an IP address/],
    [{ collection_time: 'often' }, /\/extra_config\/telemetry~1metrics\/collection_time/],
    [{ proxy_disable: true }, /unknown field "proxy_disable" \(did you mean "proxy_disabled"\?\)/],
  ];
  for (const [m, expected] of cases) {
    const file = writeConfig({ version: 3, endpoints: [], extra_config: { 'telemetry/metrics': m } });
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
  }
});
