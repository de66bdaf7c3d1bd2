// The direct JSON path (issue #20): a single-backend `json` endpoint with nothing that reads or
// changes the data writes Go's encoding/json bytes made from the backend's body (canonicalGoJson)
// instead of decoding and re-encoding it. Every answer must be the one the general path gives:
// the same endpoint with `concurrent_calls: 2` (which takes it off the direct path) is the
// reference, compared byte for byte, status and headers, over bodies the fast pass decides and
// bodies it leaves to the decoder (duplicates, invalid UTF-8, not an object, invalid JSON, gzip).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

const BODIES: Record<string, Buffer> = {
  unsorted: Buffer.from(
    JSON.stringify({
      id: 1042,
      name: 'n',
      active: true,
      score: 98.6,
      tags: ['a', 'b'],
      owner: { id: 42, login: 'b', email: 'e' },
      items: [{ sku: 'A', qty: 1 }],
    }),
  ),
  pretty: Buffer.from(JSON.stringify({ z: [1, { y: 2, x: null }], a: 'x' }, null, 2)),
  sorted: Buffer.from('{"a":1,"b":[true,false,null],"c":{"d":"e"}}'),
  escapes: Buffer.from('{"h":"<a>&amp;</a>","u":"\\u00e9\\/\\n","l":"\u2028","s":"\\ud800","k":"é中😀"}'),
  numbers: Buffer.from('{"n":[0,-0,-0.0,1.50,1e2,1e21,1e400,12345678901234567890,9007199254740993,98.6]}'),
  empty: Buffer.from('{ }'),
  proto: Buffer.from('{"__proto__":{"x":1},"a":2}'),
  duplicate: Buffer.from('{"b":1,"a":2,"b":3}'),
  badutf8: Buffer.concat([Buffer.from('{"b":"'), Buffer.from('c0afeda080ff', 'hex'), Buffer.from('","a":1}')]),
  array: Buffer.from('[1,2]'),
  invalid: Buffer.from('{"a":'),
  trailing: Buffer.from('{"a":1} {}'),
};

let backend: TestBackend;
let gw: RunningGateway;

before(async () => {
  backend = await startBackend((req, res) => {
    const name = req.url!.slice(1);
    if (name === 'gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(BODIES.unsorted));
    }
    if (name === 'created') return void (res.writeHead(201, { 'content-type': 'application/json' }), res.end(BODIES.pretty));
    if (name === 'fail') return void (res.writeHead(500, { 'content-type': 'application/json' }), res.end('{"no":1}'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BODIES[name]);
  });
  const endpoints = [];
  for (const name of [...Object.keys(BODIES), 'gzip', 'created', 'fail']) {
    const backends = [{ host: [backend.origin], url_pattern: `/${name}` }];
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

function get(path: string, headers: Record<string, string> = {}): Promise<Bytes> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gw.port, path, headers, agent: false }, (res) => {
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

test('every answer of the direct JSON path equals the general path: status, headers, bytes', async () => {
  for (const name of [...Object.keys(BODIES), 'gzip', 'created', 'fail']) {
    const fast = await get(`/fast/${name}`);
    const general = await get(`/general/${name}`);
    assert.equal(fast.status, general.status, name);
    assert.deepEqual(withoutDate(fast.headers), withoutDate(general.headers), name);
    assert.equal(fast.body.toString('hex'), general.body.toString('hex'), name);
  }
});

test('the answers themselves: sorted compact Go JSON, completeness and cache headers', async () => {
  const u = await get('/fast/unsorted');
  assert.equal(u.status, 200);
  assert.equal(
    u.body.toString(),
    '{"active":true,"id":1042,"items":[{"qty":1,"sku":"A"}],"name":"n","owner":{"email":"e","id":42,"login":"b"},"score":98.6,"tags":["a","b"]}',
  );
  assert.equal(u.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(u.headers['content-length'], String(u.body.length));
  assert.equal(u.headers['x-rampart-completed'], 'true');
  assert.equal(u.headers['cache-control'], 'public, max-age=30');
  const n = await get('/fast/numbers');
  assert.equal(n.body.toString(), '{"n":[0,-0,-0,1.5,100,1e+21,null,12345678901234567000,9007199254740992,98.6]}');
  const e = await get('/fast/escapes');
  assert.equal(e.body.toString(), '{"h":"\\u003ca\\u003e\\u0026amp;\\u003c/a\\u003e","k":"é中😀","l":"\\u2028","s":"\ufffd","u":"é/\\n"}');
  // An empty object is an answer, not a complete one (KrakenD: no data).
  const empty = await get('/fast/empty');
  assert.equal(empty.body.toString(), '{}');
  assert.equal(empty.headers['x-rampart-completed'], 'false');
  const dup = await get('/fast/duplicate');
  assert.equal(dup.body.toString(), '{"a":2,"b":3}');
  // What is not an object, or not JSON, is a backend failure.
  for (const name of ['array', 'invalid', 'trailing', 'fail']) assert.equal((await get(`/fast/${name}`)).status, 500, name);
});
