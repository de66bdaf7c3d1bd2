// sd "dns" end to end: the real gateway resolves an SRV name through a real DNS server on
// loopback UDP (test/helpers/dns-server.ts, named by RAMPART_DNS_SERVER) and balances over two
// real loopback backends by weight; a record change is picked up after its TTL and
// dns_cache_ttl; a DNS outage keeps the last good set; a name that never resolved answers a
// clean 503 and the gateway stays up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';

let a: TestBackend;
let b: TestBackend;
let c: TestBackend;
let dns: TestDnsServer;
let gw: RunningGateway;

const who = (name: string) =>
  startBackend((req, res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end(JSON.stringify({ who: name, host: req.headers.host }))));

before(async () => {
  [a, b, c] = await Promise.all([who('a'), who('b'), who('c')]);
  dns = await startDnsServer({
    srv: {
      '_api._tcp.svc.test': [
        { target: 'a.svc.test', port: a.port, priority: 10, weight: 30 },
        { target: 'b.svc.test', port: b.port, priority: 10, weight: 10 },
        // A higher priority value: only used when no record of priority 10 is left.
        { target: 'c.svc.test', port: c.port, priority: 20, weight: 100 },
      ],
    },
    a: { 'a.svc.test': ['127.0.0.1'], 'b.svc.test': ['127.0.0.1'], 'c.svc.test': ['127.0.0.1'] },
    ttl: 1,
  });
  gw = await startGateway(
    {
      version: 3,
      timeout: '2s',
      dns_cache_ttl: '1s',
      endpoints: [
        { endpoint: '/api', backend: [{ url_pattern: '/x', sd: 'dns', host: ['_api._tcp.svc.test'], disable_host_sanitize: true }] },
        { endpoint: '/shared', backend: [{ url_pattern: '/y', sd: 'dns-shared', host: ['_api._tcp.svc.test'] }] },
        { endpoint: '/nowhere', backend: [{ url_pattern: '/z', sd: 'dns', host: ['_missing._tcp.svc.test'] }] },
      ],
    },
    { env: { RAMPART_DNS_SERVER: `127.0.0.1:${dns.port}` } },
  );
});

after(async () => {
  await gw?.stop();
  await Promise.all([a?.close(), b?.close(), c?.close(), dns?.close()]);
});

async function tally(path: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await http(gw.port, 'GET', path);
    assert.equal(r.status, 200, r.body);
    const w = JSON.parse(r.body).who as string;
    counts[w] = (counts[w] ?? 0) + 1;
  }
  return counts;
}

/** Polls until `ok` holds, bounded. */
async function eventually(what: string, ok: () => Promise<boolean>, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    assert.ok(Date.now() < deadline, `${what} did not happen within ${ms} ms\n${gw.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('weights of the lowest priority are honoured; the higher priority value is unused; Host is the SRV target', async () => {
  const counts = await tally('/api', 80);
  assert.equal(counts.c, undefined, JSON.stringify(counts));
  // Weights 30:10 → 3:1. The balancer walks the weighted list, so 80 calls give 60/20.
  assert.ok(counts.a >= 55 && counts.a <= 65 && counts.b >= 15 && counts.b <= 25, JSON.stringify(counts));
  const r = await http(gw.port, 'GET', '/shared');
  assert.match(JSON.parse(r.body).host, /^[ab]\.svc\.test:\d+$/);
  assert.ok(dns.queries.includes('SRV _api._tcp.svc.test'), dns.queries.join(', '));
  assert.ok(
    dns.queries.some((q) => q === 'A a.svc.test'),
    'the target is looked up through the same server',
  );
});

test('a record change is picked up after its TTL, without a restart', async () => {
  dns.table.srv['_api._tcp.svc.test'] = [
    { target: 'b.svc.test', port: b.port, priority: 10, weight: 10 },
    { target: 'c.svc.test', port: c.port, priority: 10, weight: 10 },
  ];
  const t0 = Date.now();
  await eventually('the new set', async () => {
    const counts = await tally('/api', 8);
    return counts.a === undefined && counts.b === 4 && counts.c === 4;
  });
  const took = Date.now() - t0;
  assert.ok(took >= 200, `picked up in ${took} ms: too fast to have waited for a refresh`);
  const shared = await tally('/shared', 8);
  assert.deepEqual(shared, { b: 4, c: 4 });
});

test('a DNS outage (SERVFAIL, then no answer at all) keeps the last good set', async () => {
  dns.mode = 'servfail';
  const before = dns.queries.length;
  await eventually('a failed lookup', async () => dns.queries.length > before + 1);
  assert.deepEqual(await tally('/api', 8), { b: 4, c: 4 });
  dns.mode = 'silent';
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual(await tally('/api', 8), { b: 4, c: 4 });
  dns.mode = 'answer';
});

test('an SRV name that never resolved: a clean 503 at once, nothing internal leaked, the gateway stays up', async () => {
  const t0 = Date.now();
  const r = await http(gw.port, 'GET', '/nowhere');
  assert.equal(r.status, 503);
  assert.ok(Date.now() - t0 < 500, 'fails fast, no wait for a lookup');
  assert.doesNotMatch(r.body, /svc\.test|ENOTFOUND|stack|at /);
  assert.match(gw.output(), /sd dns: SRV lookup failed/);
  assert.equal((await http(gw.port, 'GET', '/__health')).status, 200);
  // The name appears later: picked up by the background refresh.
  dns.table.srv['_missing._tcp.svc.test'] = [{ target: 'a.svc.test', port: a.port }];
  await eventually('the late name', async () => (await http(gw.port, 'GET', '/nowhere')).status === 200);
  assert.equal(gw.proc.exitCode, null);
});

test('check: a malformed RAMPART_DNS_SERVER or SRV name is a pointer error; the dry run sends no query', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeConfig, BIN } = await import('../helpers/gateway.js');
  const file = writeConfig({
    version: 3,
    endpoints: [
      { endpoint: '/a', backend: [{ url_pattern: '/x', sd: 'dns', host: ['_dry._tcp.svc.test'] }] },
      { endpoint: '/b', backend: [{ url_pattern: '/x', sd: 'dns', host: ['bad name!'] }] },
    ],
  });
  const bad = spawnSync(process.execPath, [BIN, 'check', '-c', file], {
    env: { ...process.env, RAMPART_DNS_SERVER: '10.0.0.1:99999' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr + bad.stdout, /\/endpoints\/0\/backend\/0\/sd: RAMPART_DNS_SERVER: "10\.0\.0\.1:99999"/);
  assert.match(bad.stderr + bad.stdout, /\/endpoints\/1\/backend\/0\/host\/0: sd "dns": "bad name!" is not a DNS name/);
  const good = writeConfig({ version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/x', sd: 'dns', host: ['_dry._tcp.svc.test'] }] }] });
  const ok = spawnSync(process.execPath, [BIN, 'check', '-c', good], {
    env: { ...process.env, RAMPART_DNS_SERVER: `127.0.0.1:${dns.port}` },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(ok.status, 0, ok.stderr);
  assert.ok(!dns.queries.includes('SRV _dry._tcp.svc.test'), 'check resolves nothing');
});
