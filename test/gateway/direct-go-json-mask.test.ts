// modifier/response-body on the direct JSON path (issue #16): a masked single-backend `json`
// endpoint masks the Go bytes canonicalGoJson makes of the backend's body instead of decoding,
// masking and re-encoding. Every answer must be the one the general path gives: the same endpoint
// with `concurrent_calls: 2` (which takes it off the direct path) is the reference, compared byte
// for byte, status and headers, over bodies both passes decide and bodies they leave to the
// decoder (a lone surrogate in a masked field, duplicates, invalid UTF-8, not an object, gzip).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { originBody } from '../../bench/lib/nginx.js';

const BODIES: Record<string, Buffer> = {
  bench: Buffer.from(originBody()),
  pretty: Buffer.from(JSON.stringify(JSON.parse(originBody()), null, 2)),
  escaped: Buffer.from('{"owner":{"email":"\\u0062en<ch>@ex.com","login":"bench & bench\\u2028"},"note":"bench"}'),
  lone: Buffer.from('{"owner":{"email":"a@b","login":"\\ud800bench"},"x":1}'),
  notString: Buffer.from('{"items":[{"owner":{"email":"c@d"}}],"owner":{"email":["a@b"],"login":{"bench":"bench"}}}'),
  noOwner: Buffer.from('{"owners":{"email":"a@b"},"owner":null}'),
  proto: Buffer.from('{"__proto__":{"email":"a@b"},"owner":{"__proto__":"x","email":"zed@q"}}'),
  duplicate: Buffer.from('{"owner":{"email":"a@b"},"owner":{"email":"cde@f","login":"bench"}}'),
  badutf8: Buffer.concat([Buffer.from('{"owner":{"email":"'), Buffer.from('c0afed', 'hex'), Buffer.from('@x"}}')]),
  array: Buffer.from('[{"owner":{"email":"a@b"}}]'),
  invalid: Buffer.from('{"owner":'),
};
const NAMES = [...Object.keys(BODIES), 'gzip', 'created', 'fail'];

/** The bench route's masking, and the same with a field-less modifier after it. */
const FIELDS = [
  { regexp: { field: 'owner.email', find: '^([^@])[^@]*@', replace: '${1}***@' } },
  { literal: { field: 'owner.login', find: 'bench', replace: '*****' } },
];
const EVERYWHERE = [...FIELDS, { regexp: { find: '[aeiou]', replace: '<$0>' } }];

let backend: TestBackend;
let gw: RunningGateway;

before(async () => {
  backend = await startBackend((req, res) => {
    const name = req.url!.slice(1);
    if (name === 'gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(BODIES.bench));
    }
    if (name === 'created') return void (res.writeHead(201, { 'content-type': 'application/json' }), res.end(BODIES.escaped));
    if (name === 'fail') return void (res.writeHead(500, { 'content-type': 'application/json' }), res.end('{"owner":{"email":"a@b"}}'));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BODIES[name]);
  });
  const endpoints = [];
  for (const [set, modifiers] of [
    ['fields', FIELDS],
    ['everywhere', EVERYWHERE],
  ] as const) {
    for (const name of NAMES) {
      const backends = [{ host: [backend.origin], url_pattern: `/${name}` }];
      const extra_config = { 'modifier/response-body': { modifiers } };
      endpoints.push({ endpoint: `/fast/${set}/${name}`, backend: backends, extra_config, cache_ttl: '30s' });
      endpoints.push({ endpoint: `/general/${set}/${name}`, backend: backends, extra_config, cache_ttl: '30s', concurrent_calls: 2 });
    }
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

test('every masked answer of the direct JSON path equals the general path: status, headers, bytes', async () => {
  for (const set of ['fields', 'everywhere']) {
    for (const name of NAMES) {
      const fast = await get(`/fast/${set}/${name}`);
      const general = await get(`/general/${set}/${name}`);
      const what = `${set}/${name}`;
      assert.equal(fast.status, general.status, what);
      assert.deepEqual(withoutDate(fast.headers), withoutDate(general.headers), what);
      assert.equal(fast.body.toString('hex'), general.body.toString('hex'), what);
    }
  }
});

test('the masked answers themselves', async () => {
  const bench = await get('/fast/fields/bench');
  assert.equal(bench.status, 200);
  const owner = (JSON.parse(bench.body.toString()) as { owner: unknown }).owner;
  assert.deepEqual(owner, { email: 'b***@example.com', id: 42, login: '*****' });
  assert.ok(!bench.body.includes('bench@'), 'the email is masked');
  assert.equal(bench.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(bench.headers['content-length'], String(bench.body.length));
  assert.equal(bench.headers['x-rampart-completed'], 'true');
  assert.equal(bench.headers['cache-control'], 'public, max-age=30');
  // Escaped input; the replacement written with Go's escapes; only the named field is changed.
  const esc = await get('/fast/fields/escaped');
  assert.equal(esc.body.toString(), '{"note":"bench","owner":{"email":"b***@ex.com","login":"***** \\u0026 *****\\u2028"}}');
  // Field-less: every string value (not keys), after the field modifiers.
  const all = await get('/fast/everywhere/escaped');
  assert.equal(
    all.body.toString(),
    '{"note":"b\\u003ce\\u003ench","owner":{"email":"b***@\\u003ce\\u003ex.c\\u003co\\u003em","login":"***** \\u0026 *****\\u2028"}}',
  );
  // A lone surrogate in a masked field: the general path's answer (Go writes it as U+FFFD).
  const lone = await get('/fast/fields/lone');
  assert.equal(lone.body.toString(), '{"owner":{"email":"a***@b","login":"\ufffd*****"},"x":1}');
  // Values that are not strings, and paths through arrays, are left as they are.
  assert.equal((await get('/fast/fields/notString')).body.toString(), BODIES.notString.toString());
  const dup = await get('/fast/fields/duplicate');
  assert.equal(dup.body.toString(), '{"owner":{"email":"c***@f","login":"*****"}}');
  for (const name of ['array', 'invalid', 'fail']) assert.equal((await get(`/fast/fields/${name}`)).status, 500, name);
});
