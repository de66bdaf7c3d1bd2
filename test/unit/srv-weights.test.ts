// sd "dns" weighting (proxy/dns-srv/srv-weights.ts) against lura's sd/dnssrv examples, and the
// refresh rules of the subscriber with a real resolver against a real UDP DNS server on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instancesOf } from '../../src/proxy/dns-srv/srv-weights.js';
import { createSrvResolver } from '../../src/proxy/dns-srv/srv-resolver.js';
import { SrvSubscriber } from '../../src/proxy/dns-srv/srv-subscriber.js';
import { Pool } from '../../src/proxy/upstream-pools.js';
import { startDnsServer } from '../helpers/dns-server.js';

const rec = (name: string, port: number, weight: number, priority = 0) => ({ name, port, weight, priority });

test('lura ExampleNewDetailed: lowest priority only, weights divided by their gcd, weight 0 dropped', () => {
  const srvs = [
    rec('foobar', 90, 2),
    rec('127.0.0.1', 90, 2),
    rec('127.0.0.1', 80, 2),
    rec('127.0.0.1', 81, 4),
    rec('127.0.0.1', 82, 10, 2),
    rec('127.0.0.1', 83, 0),
  ];
  assert.deepEqual(instancesOf(srvs, 'http'), ['http://127.0.0.1:81', 'http://127.0.0.1:81', 'http://127.0.0.1:80', 'http://127.0.0.1:90', 'http://foobar:90']);
});

test('weights normalised to 100: a record under 1% of the total gets no share; trailing dot and scheme', () => {
  const out = instancesOf([rec('a.example.', 80, 1000), rec('b.example.', 80, 5)], 'https');
  assert.deepEqual([...new Set(out)], ['https://a.example:80']);
  assert.equal(out.length, 1); // 99 after normalising, gcd 99
  const even = instancesOf([rec('a', 1, 300), rec('b', 2, 100)], 'http');
  assert.deepEqual(even, ['http://a:1', 'http://a:1', 'http://a:1', 'http://b:2']);
});

test('all weights 0 (RFC 2782: no weighting): equal shares, where lura would have no host', () => {
  assert.deepEqual(instancesOf([rec('a', 1, 0), rec('b', 2, 0)], 'http'), ['http://a:1', 'http://b:2']);
});

test('more than 100 instances are shuffled (lura: random fixed subscriber), each kept once', () => {
  const many = Array.from({ length: 101 }, (_, i) => rec(`h${String(i).padStart(3, '0')}`, 80, 1));
  let seed = 1;
  const out = instancesOf(many, 'http', () => (seed = (seed * 16807) % 2147483647) / 2147483647);
  assert.equal(out.length, 101);
  assert.equal(new Set(out).size, 101);
  assert.notDeepEqual(out, [...out].sort());
  assert.deepEqual(instancesOf(many.slice(0, 100), 'http'), [...instancesOf(many.slice(0, 100), 'http')].sort(), '100 or fewer: sorted');
});

test('subscriber: refresh picks a change up; a failed lookup keeps the last good set; none yet = no host', async () => {
  const dns = await startDnsServer({ srv: { 'svc.test': [{ target: 'a.test', port: 8001, weight: 1 }] }, a: { 'a.test': ['127.0.0.1'] }, ttl: 1 });
  const resolver = createSrvResolver([`127.0.0.1:${dns.port}`]);
  const made: string[] = [];
  const sub = new SrvSubscriber({ name: 'svc.test', scheme: 'http', refreshMs: 60_000, resolver, makePool: (o) => (made.push(o), new Pool(o)) });
  const missing = new SrvSubscriber({ name: 'gone.test', scheme: 'http', refreshMs: 60_000, resolver, makePool: (o) => new Pool(o) });
  try {
    await sub.refresh();
    assert.deepEqual(sub.origins(), ['http://a.test:8001']);
    assert.equal(sub.pick(), 'http://a.test:8001');
    dns.table.srv['svc.test'] = [{ target: 'b.test', port: 8002, weight: 1 }];
    await new Promise((r) => setTimeout(r, 1100)); // the record TTL
    await sub.refresh();
    assert.deepEqual(sub.origins(), ['http://b.test:8002']);
    // a.test's pool stays one more refresh (calls that picked it still find it), then goes.
    assert.ok(sub.pools.has('http://a.test:8001'));
    dns.mode = 'servfail';
    await new Promise((r) => setTimeout(r, 1100));
    await sub.refresh();
    assert.deepEqual(sub.origins(), ['http://b.test:8002'], 'SERVFAIL keeps the last good set');
    dns.mode = 'answer';
    await sub.refresh();
    assert.ok(!sub.pools.has('http://a.test:8001'));
    assert.deepEqual(made, ['http://a.test:8001', 'http://b.test:8002']);
    await missing.refresh();
    assert.equal(missing.pick(), undefined, 'NXDOMAIN with no earlier answer: no host');
  } finally {
    await sub.close();
    await missing.close();
    await dns.close();
  }
});

test('the custom lookup resolves targets through the configured server only', async () => {
  const dns = await startDnsServer({ srv: {}, a: { 'only-here.test': ['127.0.0.1'] }, ttl: 5 });
  try {
    const { lookup } = createSrvResolver([`127.0.0.1:${dns.port}`]);
    assert.ok(lookup);
    const got = await new Promise<unknown>((resolve) => lookup('only-here.test', { all: true }, (err, addr) => resolve(err ?? addr)));
    assert.deepEqual(got, [{ address: '127.0.0.1', family: 4 }]);
    const missing = await new Promise<unknown>((resolve) => lookup('nowhere.test', {}, (err) => resolve((err as NodeJS.ErrnoException | null)?.code)));
    assert.equal(missing, 'ENOTFOUND');
    assert.equal(createSrvResolver(undefined).lookup, undefined, 'no RAMPART_DNS_SERVER: the system lookup');
  } finally {
    await dns.close();
  }
});

test('a silent DNS server holds startup at most ~1 s; the set fills once it answers', async () => {
  const dns = await startDnsServer({ srv: { 'late.test': [{ target: 'a.test', port: 8001 }] }, a: {}, ttl: 1 });
  dns.mode = 'silent';
  const sub = new SrvSubscriber({
    name: 'late.test',
    scheme: 'http',
    refreshMs: 200,
    resolver: createSrvResolver([`127.0.0.1:${dns.port}`]),
    makePool: (o) => new Pool(o),
  });
  try {
    const t0 = Date.now();
    await sub.start();
    const waited = Date.now() - t0;
    assert.ok(waited >= 900 && waited < 1500, `start waited ${waited} ms`);
    assert.equal(sub.pick(), undefined);
    dns.mode = 'answer';
    const deadline = Date.now() + 10_000;
    while (sub.pick() === undefined) {
      assert.ok(Date.now() < deadline, 'the set never filled');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(sub.pick(), 'http://a.test:8001');
  } finally {
    await sub.close();
    await dns.close();
  }
});
