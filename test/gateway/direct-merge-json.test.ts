// Merged JSON answers of the direct path (issue #20: callAllDirect, several backends called and
// merged from undici's callbacks) must be the general path's (parallelMerge through the backends'
// handlers): the same endpoint with `concurrent_calls: 2` (which takes it off the direct path) is
// the reference, compared byte for byte, status and headers, for backends shaped by `allow` and
// `group`, key collisions (the later backend wins), and partial answers (a failing backend,
// error details, gzip, duplicate keys, invalid JSON, not an object).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { originBody } from '../../bench/lib/nginx.js';

const BODIES: Record<string, Buffer> = {
  bench: Buffer.from(originBody()),
  a: Buffer.from('{"y":2,"x":1}'),
  b: Buffer.from(' {"z": 4, "y": [3]}\n'),
  escapes: Buffer.from('{"h":"<a>&amp;</a>","u":"\\u00e9\\/\\n","l":"\u2028","s":"\\ud800","k":"é中😀"}'),
  numbers: Buffer.from('{"n":[0,-0,-0.0,1.50,1e2,1e21,12345678901234567890,9007199254740993,98.6]}'),
  empty: Buffer.from('{ }'),
  proto: Buffer.from('{"__proto__":{"x":1},"a":2}'),
  duplicate: Buffer.from('{"b":1,"a":2,"b":3}'),
  array: Buffer.from('[1,2]'),
  invalid: Buffer.from('{"a":'),
};

type B = { url_pattern: string; allow?: string[]; group?: string; extra_config?: Record<string, unknown> };
const MERGES: Record<string, B[]> = {
  bench: [
    { url_pattern: '/bench', allow: ['id', 'name', 'tags'] },
    { url_pattern: '/bench', group: 'detail', allow: ['owner', 'items'] },
  ],
  collide: [{ url_pattern: '/a' }, { url_pattern: '/b' }],
  collideGroup: [{ url_pattern: '/a', group: 'z' }, { url_pattern: '/b' }],
  three: [{ url_pattern: '/a' }, { url_pattern: '/b', group: 'x' }, { url_pattern: '/bench', allow: ['id', 'y'] }],
  escapes: [{ url_pattern: '/escapes' }, { url_pattern: '/numbers', group: 'é' }],
  proto: [
    { url_pattern: '/proto', allow: ['__proto__'] },
    { url_pattern: '/a', group: '__proto__' },
  ],
  empty: [{ url_pattern: '/empty' }, { url_pattern: '/a', allow: ['q'] }],
  emptyAll: [{ url_pattern: '/empty' }, { url_pattern: '/empty' }],
  created: [{ url_pattern: '/created' }, { url_pattern: '/a' }],
  failOne: [{ url_pattern: '/bench', allow: ['id'] }, { url_pattern: '/fail' }],
  failFirst: [{ url_pattern: '/fail' }, { url_pattern: '/a', group: 'g' }],
  failBoth: [{ url_pattern: '/fail' }, { url_pattern: '/fail' }],
  details: [{ url_pattern: '/fail', extra_config: { 'backend/http': { return_error_details: 'x' } } }, { url_pattern: '/a' }],
  gzip: [{ url_pattern: '/gzip', allow: ['id', 'name'] }, { url_pattern: '/a' }],
  duplicate: [{ url_pattern: '/a' }, { url_pattern: '/duplicate' }],
  invalid: [{ url_pattern: '/invalid' }, { url_pattern: '/a' }],
  array: [{ url_pattern: '/a' }, { url_pattern: '/array' }],
};

let backend: TestBackend;
let gw: RunningGateway;

before(async () => {
  backend = await startBackend((req, res) => {
    const name = req.url!.slice(1);
    if (name === 'gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(BODIES.bench));
    }
    if (name === 'created') return void (res.writeHead(201, { 'content-type': 'application/json' }), res.end(BODIES.b));
    if (name === 'fail') return void (res.writeHead(500, { 'content-type': 'application/json' }), res.end('{"no":1}'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BODIES[name]);
  });
  const endpoints = [];
  for (const [name, bs] of Object.entries(MERGES)) {
    const backends = bs.map((b) => ({ host: [backend.origin], ...b }));
    endpoints.push({ endpoint: `/fast/${name}`, backend: backends, cache_ttl: '30s' });
    endpoints.push({ endpoint: `/general/${name}`, backend: backends, cache_ttl: '30s', concurrent_calls: 2 });
  }
  gw = await startGateway({ version: 3, endpoints });
});

after(async () => {
  await gw?.stop();
  await backend?.close();
});

interface Bytes {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string): Promise<Bytes> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gw.port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function withoutDate(h: Bytes['headers']): Bytes['headers'] {
  const { date: _date, ...rest } = h;
  return rest;
}

test('every merged answer of the direct path equals the general path: status, headers, bytes', async () => {
  for (const name of Object.keys(MERGES)) {
    const fast = await get(`/fast/${name}`);
    const general = await get(`/general/${name}`);
    assert.equal(fast.status, general.status, name);
    assert.deepEqual(withoutDate(fast.headers), withoutDate(general.headers), name);
    assert.equal(fast.body.toString('hex'), general.body.toString('hex'), name);
  }
});

test('the answers themselves: merged sorted Go JSON, later backends win, partial answers', async () => {
  const bench = await get('/fast/bench');
  assert.equal(bench.status, 200);
  assert.equal(
    bench.body.toString(),
    '{"detail":{"items":[{"price":9.99,"qty":1,"sku":"A-100"},{"price":19.5,"qty":3,"sku":"B-200"},{"price":4.25,"qty":2,"sku":"C-300"}],"owner":{"email":"bench@example.com","id":42,"login":"bench"}},"id":1042,"name":"rampart-bench","tags":["alpha","beta","gamma"]}',
  );
  assert.equal(bench.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(bench.headers['content-length'], String(bench.body.length));
  assert.equal(bench.headers['x-rampart-completed'], 'true');
  assert.equal(bench.headers['cache-control'], 'public, max-age=30');
  assert.equal((await get('/fast/collide')).body.toString(), '{"x":1,"y":[3],"z":4}');
  assert.equal((await get('/fast/collideGroup')).body.toString(), '{"y":[3],"z":4}');
  assert.equal((await get('/fast/three')).body.toString(), '{"id":1042,"x":{"y":[3],"z":4},"y":2}');
  // No keys at all: an answer, not a complete one.
  const empty = await get('/fast/emptyAll');
  assert.equal(empty.body.toString(), '{}');
  assert.equal(empty.headers['x-rampart-completed'], 'false');
  // One backend failing: a partial answer with what the other one gave.
  const partial = await get('/fast/failOne');
  assert.equal(partial.status, 200);
  assert.equal(partial.body.toString(), '{"id":1042}');
  assert.equal(partial.headers['x-rampart-completed'], 'false');
  assert.equal(partial.headers['cache-control'], undefined);
  assert.equal((await get('/fast/failFirst')).body.toString(), '{"g":{"x":1,"y":2}}');
  assert.equal((await get('/fast/failBoth')).status, 500);
  assert.equal((await get('/fast/duplicate')).body.toString(), '{"a":2,"b":3,"x":1,"y":2}');
  assert.equal((await get('/fast/invalid')).headers['x-rampart-completed'], 'false');
});
