// The direct merge path (issue #20): backends that only pick top-level keys and group them are
// merged from their members' Go bytes (mergeGoMembers) instead of decoded, shaped, merged and
// encoded. Each answer must be the general path's: the same backends behind an endpoint with
// `concurrent_calls: 2` (off the direct path) are the reference, byte for byte, with status
// and headers, for merges the fast path makes and for those it leaves to combine() (a failed
// backend, a body it does not decide, dotted allow, deny, mapping).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

const BODIES: Record<string, string> = {
  main: JSON.stringify({ id: 1042, name: 'n', tags: ['a', 'b'], owner: { login: 'b', id: 42 }, items: [{ sku: 'A', qty: 1.5 }], html: '<&>' }, null, 1),
  other: '{"name":"other","z":{"b":1,"a":2},"id":7}',
  dup: '{"a":1,"a":2,"name":"d"}',
  empty: '{}',
};

let backend: TestBackend;
let gw: RunningGateway;

const MERGES: Record<string, object[]> = {
  bench: [
    { url_pattern: '/main', allow: ['id', 'name', 'tags'] },
    { url_pattern: '/main', group: 'detail', allow: ['owner', 'items'] },
  ],
  plain: [{ url_pattern: '/main' }, { url_pattern: '/other' }],
  grouped: [{ url_pattern: '/other', group: 'name' }, { url_pattern: '/main', group: 'g2' }, { url_pattern: '/empty' }],
  failing: [{ url_pattern: '/main', allow: ['id'] }, { url_pattern: '/fail' }],
  undecided: [{ url_pattern: '/dup' }, { url_pattern: '/other', allow: ['z'] }],
  dotted: [{ url_pattern: '/main', allow: ['owner.id', 'name'] }, { url_pattern: '/other' }],
  denied: [
    { url_pattern: '/main', deny: ['owner'] },
    { url_pattern: '/other', mapping: { name: 'title' } },
  ],
};

before(async () => {
  backend = await startBackend((req, res) => {
    const name = req.url!.slice(1);
    if (name === 'fail') return void (res.writeHead(500, { 'content-type': 'application/json' }), res.end('{"no":1}'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BODIES[name]);
  });
  const endpoints = [];
  for (const [name, bs] of Object.entries(MERGES)) {
    const backends = bs.map((b) => ({ host: [backend.origin], ...b }));
    endpoints.push({ endpoint: `/fast/${name}`, backend: backends });
    endpoints.push({ endpoint: `/general/${name}`, backend: backends, concurrent_calls: 2 });
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

test('every merged answer of the direct path equals the general path: status, headers, bytes', async () => {
  for (const name of Object.keys(MERGES)) {
    const fast = await get(`/fast/${name}`);
    const general = await get(`/general/${name}`);
    const { date: _a, ...fh } = fast.headers;
    const { date: _b, ...gh } = general.headers;
    assert.equal(fast.status, general.status, name);
    assert.deepEqual(fh, gh, name);
    assert.equal(fast.body.toString(), general.body.toString(), name);
  }
});

test('the merged answers themselves', async () => {
  const b = await get('/fast/bench');
  assert.equal(b.body.toString(), '{"detail":{"items":[{"qty":1.5,"sku":"A"}],"owner":{"id":42,"login":"b"}},"id":1042,"name":"n","tags":["a","b"]}');
  assert.equal(b.headers['x-rampart-completed'], 'true');
  assert.equal(b.headers['content-length'], String(b.body.length));
  const g = await get('/fast/grouped');
  assert.equal(g.body.toString().slice(0, 40), '{"g2":{"html":"\\u003c\\u0026\\u003e","id":');
  assert.ok(g.body.toString().endsWith(',"name":{"id":7,"name":"other","z":{"a":2,"b":1}}}'));
  const f = await get('/fast/failing');
  assert.equal(f.body.toString(), '{"id":1042}');
  assert.equal(f.headers['x-rampart-completed'], 'false');
  const u = await get('/fast/undecided');
  assert.equal(u.body.toString(), '{"a":2,"name":"d","z":{"a":2,"b":1}}');
});
