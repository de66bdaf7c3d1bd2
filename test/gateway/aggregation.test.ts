// Backends: merging, group/target/allow/deny/mapping, partial responses with the completeness
// header, timeouts, round robin, concurrent calls, no-op streaming, redirects, error options.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let a: TestBackend;
let b: TestBackend;
let evil: TestBackend;
let gw: RunningGateway;
let flaky = 0;

before(async () => {
  evil = await startBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"stolen":true}');
  });
  a = await startBackend((req, res) => {
    const u = req.url!;
    if (u.startsWith('/slow')) return void setTimeout(() => res.end('{"late":true}'), 1500);
    if (u.startsWith('/redirect-out')) return void (res.writeHead(302, { location: `${evil.origin}/x` }), res.end());
    if (u.startsWith('/redirect-in')) return void (res.writeHead(301, { location: '/user' }), res.end());
    if (u.startsWith('/list')) return void (res.writeHead(200, { 'content-type': 'application/json' }), res.end('[{"id":1},{"id":2}]'));
    if (u.startsWith('/missing')) return void (res.writeHead(404, { 'content-type': 'text/plain' }), res.end('no such thing'));
    if (u.startsWith('/flaky')) {
      flaky++;
      if (flaky % 2 === 1) return void setTimeout(() => res.end('{"who":"slow"}'), 400);
      return void res.end('{"who":"fast"}');
    }
    if (u.startsWith('/text')) return void res.end('plain words');
    res.writeHead(200, { 'content-type': 'application/json', 'x-up': 'a', 'set-cookie': ['s1=a', 's2=b'] });
    res.end(JSON.stringify({ id: 1, name: 'Ada', secret: 'x', address: { city: 'Paris', zip: '75000' }, port: a.port }));
  });
  b = await startBackend((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ orders: [1, 2], port: b.port }));
  });
  gw = await startGateway({
    version: 3,
    timeout: '1s',
    cache_ttl: '30s',
    endpoints: [
      {
        endpoint: '/merged',
        backend: [
          { host: [a.origin], url_pattern: '/user', deny: ['secret'], mapping: { name: 'fullName' } },
          { host: [b.origin], url_pattern: '/orders', group: 'shop' },
        ],
      },
      { endpoint: '/target', backend: [{ host: [a.origin], url_pattern: '/user', target: 'address', allow: ['city'] }] },
      {
        endpoint: '/partial',
        backend: [
          { host: [a.origin], url_pattern: '/user', allow: ['id'] },
          { host: [a.origin], url_pattern: '/slow', group: 'late' },
        ],
      },
      { endpoint: '/all-fail', backend: [{ host: [a.origin], url_pattern: '/missing' }] },
      { endpoint: '/details', backend: [{ host: [a.origin], url_pattern: '/missing', extra_config: { 'backend/http': { return_error_details: 'a' } } }] },
      { endpoint: '/code', backend: [{ host: [a.origin], url_pattern: '/missing', extra_config: { 'backend/http': { return_error_code: true } } }] },
      { endpoint: '/collection', output_encoding: 'json-collection', backend: [{ host: [a.origin], url_pattern: '/list', is_collection: true }] },
      { endpoint: '/string', output_encoding: 'string', backend: [{ host: [a.origin], url_pattern: '/text', encoding: 'string' }] },
      { endpoint: '/rr', backend: [{ host: [a.origin, b.origin], url_pattern: '/user', allow: ['port'] }] },
      { endpoint: '/concurrent', concurrent_calls: 2, timeout: '2s', backend: [{ host: [a.origin], url_pattern: '/flaky' }] },
      { endpoint: '/noop', output_encoding: 'no-op', backend: [{ host: [a.origin], url_pattern: '/user' }] },
      { endpoint: '/out', backend: [{ host: [a.origin], url_pattern: '/redirect-out' }] },
      { endpoint: '/in', backend: [{ host: [a.origin], url_pattern: '/redirect-in', allow: ['name'] }] },
      {
        endpoint: '/seq/{id}',
        extra_config: { proxy: { sequential: true } },
        backend: [
          { host: [a.origin], url_pattern: '/user/{id}', allow: ['id'] },
          { host: [b.origin], url_pattern: '/orders/{resp0_id}', group: 'o' },
        ],
      },
      {
        endpoint: '/static',
        extra_config: { proxy: { static: { strategy: 'errored', data: { fallback: true } } } },
        backend: [{ host: [a.origin], url_pattern: '/missing' }],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  for (const x of [a, b, evil]) await x?.close();
});

test('two backends merge, with deny, mapping and group', async () => {
  const r = await http(gw.port, 'GET', '/merged');
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-rampart-completed'], 'true');
  assert.equal(r.headers['cache-control'], 'public, max-age=30');
  assert.equal(r.body, `{"address":{"city":"Paris","zip":"75000"},"fullName":"Ada","id":1,"port":${a.port},"shop":{"orders":[1,2],"port":${b.port}}}`);
});

test('target then allow', async () => {
  const r = await http(gw.port, 'GET', '/target');
  assert.equal(r.body, '{"city":"Paris"}');
});

test('a slow backend gives a partial answer marked incomplete, without Cache-Control', async () => {
  const t = Date.now();
  const r = await http(gw.port, 'GET', '/partial');
  assert.ok(Date.now() - t < 1400, 'endpoint timeout not applied');
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"id":1}');
  assert.equal(r.headers['x-rampart-completed'], 'false');
  assert.equal(r.headers['cache-control'], undefined);
});

test('a failing single backend is a clean 500 with no detail; error options are opt-in', async () => {
  const r = await http(gw.port, 'GET', '/all-fail');
  assert.equal(r.status, 500);
  assert.equal(r.body, '');
  const d = await http(gw.port, 'GET', '/details');
  assert.equal(d.status, 200);
  assert.deepEqual(JSON.parse(d.body), { error_a: { http_status_code: 404, http_body: 'no such thing', http_body_encoding: 'text/plain' } });
  const c = await http(gw.port, 'GET', '/code');
  assert.equal(c.status, 404);
  assert.equal(c.body, '');
});

test('json-collection and string encodings', async () => {
  assert.equal((await http(gw.port, 'GET', '/collection')).body, '[{"id":1},{"id":2}]');
  const s = await http(gw.port, 'GET', '/string');
  assert.equal(s.body, 'plain words');
  assert.equal(s.headers['content-type'], 'text/plain; charset=utf-8');
});

test('round robin spreads calls over the host list', async () => {
  const ports = new Set<number>();
  for (let i = 0; i < 6; i++) ports.add(JSON.parse((await http(gw.port, 'GET', '/rr')).body).port);
  assert.deepEqual([...ports].sort(), [a.port, b.port].sort());
});

test('concurrent_calls keeps the first complete answer', async () => {
  const before = a.seen.length;
  const t = Date.now();
  const r = await http(gw.port, 'GET', '/concurrent');
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).who, 'fast');
  assert.ok(Date.now() - t < 390);
  assert.equal(a.seen.length - before >= 1, true);
});

test('no-op streams status, headers (both Set-Cookie lines) and body untouched', async () => {
  const r = await http(gw.port, 'GET', '/noop');
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers['set-cookie'], ['s1=a', 's2=b']);
  assert.equal(r.headers['x-up'], 'a');
  assert.equal(r.headers['x-rampart-completed'], 'false');
  assert.equal(JSON.parse(r.body).name, 'Ada');
});

test('redirects are followed only within the declared hosts', async () => {
  const before = evil.seen.length;
  const out = await http(gw.port, 'GET', '/out');
  assert.equal(out.status, 500);
  assert.equal(evil.seen.length, before, 'gateway followed a redirect to an undeclared host');
  const inside = await http(gw.port, 'GET', '/in');
  assert.equal(inside.status, 200);
  assert.equal(inside.body, '{"name":"Ada"}');
  const last = a.seen[a.seen.length - 1];
  assert.equal(last.url, '/user');
  assert.equal(last.headers.referer, `${a.origin}/redirect-in`);
});

test('sequential calls feed {resp0_x} into the next backend', async () => {
  const n = b.seen.length;
  const r = await http(gw.port, 'GET', '/seq/9');
  assert.equal(r.status, 200);
  assert.equal(b.seen[n].url, '/orders/1');
  assert.deepEqual(JSON.parse(r.body), { id: 1, o: { orders: [1, 2], port: b.port } });
});

test('static data on error turns a 500 into a partial 200', async () => {
  const r = await http(gw.port, 'GET', '/static');
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"fallback":true}');
  assert.equal(r.headers['x-rampart-completed'], 'false');
});
