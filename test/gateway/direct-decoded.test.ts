// The direct path for decoded backends and merges (issue #20): the default JSON route and a merge
// of backends with nothing around them are called and decoded from undici's callbacks, not
// through the merged proxy's promises. What the general path answers must hold there too: Go's
// JSON bytes with a matching Content-Length, gzip undone, redirects within the declared hosts,
// a partial merge when one backend fails, the endpoint timeout, status errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let a: TestBackend;
let gw: RunningGateway;
const BODY = { z: 1, a: 'Tom & <Jerry>', m: { y: [1.5, -0, 1e21], b: '\u2028é😀' }, n: 2147483648 };

before(async () => {
  a = await startBackend((req, res) => {
    const u = req.url!;
    if (u === '/gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(JSON.stringify({ zipped: true })));
    }
    if (u === '/redirect') return void (res.writeHead(302, { location: '/second' }), res.end());
    if (u === '/second') return void (res.writeHead(200, { 'content-type': 'application/json' }), res.end('{"second":2,"shared":"b"}'));
    if (u === '/fail') return void (res.writeHead(500, { 'content-type': 'application/json' }), res.end('{"no":1}'));
    if (u === '/slow') return void setTimeout(() => res.end('{"late":true}'), 1500);
    if (u === '/array') return void res.end('[1,2]');
    if (u === '/proto') return void res.end('{"__proto__":{"polluted":true},"p":1}');
    res.writeHead(200, { 'content-type': 'application/json' });
    // -0 cannot survive JSON.stringify: written by hand.
    res.end(JSON.stringify(BODY).replace('[1.5,0,', '[1.5,-0,'));
  });
  const b = (url_pattern: string, extra: object = {}) => ({ host: [a.origin], url_pattern, ...extra });
  gw = await startGateway({
    version: 3,
    timeout: '800ms',
    endpoints: [
      { endpoint: '/json', backend: [b('/body')] },
      { endpoint: '/gzip', backend: [b('/gzip')] },
      { endpoint: '/redirect', backend: [b('/redirect')] },
      { endpoint: '/merge', backend: [b('/body', { allow: ['a', 'm.b'] }), b('/second', { group: 'g' })] },
      { endpoint: '/partial', backend: [b('/body', { allow: ['z'] }), b('/fail')] },
      { endpoint: '/slow', backend: [b('/body', { allow: ['z'] }), b('/slow')] },
      { endpoint: '/fail', backend: [b('/fail')] },
      { endpoint: '/array', backend: [b('/array')] },
      { endpoint: '/proto', backend: [b('/second'), b('/proto')] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await a?.close();
});

test('JSON route: Go encoding/json bytes (sorted keys, HTML escapes, -0, large numbers) with their Content-Length', async () => {
  const r = await http(gw.port, 'GET', '/json');
  assert.equal(r.status, 200);
  const expected = '{"a":"Tom \\u0026 \\u003cJerry\\u003e","m":{"b":"\\u2028é😀","y":[1.5,-0,1e+21]},"n":2147483648,"z":1}';
  assert.equal(r.body, expected);
  assert.equal(r.headers['content-length'], String(Buffer.byteLength(expected)));
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(r.headers['x-rampart-completed'], 'true');
});

test('a gzip answer is inflated, and a redirect within the backend host is followed', async () => {
  const z = await http(gw.port, 'GET', '/gzip');
  assert.equal(z.status, 200);
  assert.equal(z.body, '{"zipped":true}');
  const r = await http(gw.port, 'GET', '/redirect');
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"second":2,"shared":"b"}');
});

test('a merge: both backends shaped (allow, group) and merged in one answer', async () => {
  const r = await http(gw.port, 'GET', '/merge');
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"a":"Tom \\u0026 \\u003cJerry\\u003e","g":{"second":2,"shared":"b"},"m":{"b":"\\u2028é😀"}}');
  assert.equal(r.headers['x-rampart-completed'], 'true');
});

test('a merge with a failing backend answers the rest as incomplete; a slow one is cut at the endpoint timeout', async () => {
  const p = await http(gw.port, 'GET', '/partial');
  assert.equal(p.status, 200);
  assert.equal(p.body, '{"z":1}');
  assert.equal(p.headers['x-rampart-completed'], 'false');
  const t0 = Date.now();
  const s = await http(gw.port, 'GET', '/slow');
  assert.ok(Date.now() - t0 < 1400, 'answered at the 800 ms timeout, not when the backend did');
  assert.equal(s.status, 200);
  assert.equal(s.body, '{"z":1}');
  assert.equal(s.headers['x-rampart-completed'], 'false');
});

test('a single failing backend, or one that does not answer an object, is an error without its body', async () => {
  const f = await http(gw.port, 'GET', '/fail');
  assert.equal(f.status, 500);
  assert.ok(!f.body.includes('"no"'));
  const arr = await http(gw.port, 'GET', '/array');
  assert.equal(arr.status, 500);
});

test('a merge keeps a later backend\'s "__proto__" key as a key (never as the merged object\'s prototype)', async () => {
  const r = await http(gw.port, 'GET', '/proto');
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"__proto__":{"polluted":true},"p":1,"second":2,"shared":"b"}');
});
