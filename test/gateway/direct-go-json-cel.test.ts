// validation/cel response checks on the direct JSON path (issue #16): a single-backend `json`
// endpoint whose response checks read resp_data by field chains checks the Go bytes
// canonicalGoJson makes of the backend's body instead of decoding it. Every answer must be the
// one the general path gives: the same endpoint with `concurrent_calls: 2` (which takes it off
// the direct path) is the reference, compared byte for byte, status and headers, for a passing
// and a failing check, a check on a missing field, a nested path, with the bench's request
// checks beside them, over bodies both passes decide and bodies left to the decoder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { originBody } from '../../bench/lib/nginx.js';

const BODIES: Record<string, Buffer> = {
  bench: Buffer.from(originBody()),
  pretty: Buffer.from(JSON.stringify(JSON.parse(originBody()), null, 2)),
  zero: Buffer.from('{"id":0,"owner":{"login":"bench"}}'),
  lone: Buffer.from('{"id":1,"owner":{"login":"\\ud800"}}'),
  ownerList: Buffer.from('{"id":1,"owner":["bench"]}'),
  constructor: Buffer.from('{"constructor":1,"id":1,"owner":{"login":"bench"}}'),
  empty: Buffer.from('{}'),
  array: Buffer.from('[{"id":1}]'),
  invalid: Buffer.from('{"id":'),
};
const CHECKS: Record<string, string> = {
  pass: 'resp_data.id > 0',
  fail: 'resp_data.id > 5000',
  missing: 'resp_data.nope == 1',
  nested: "resp_data.owner.login == 'bench' && resp_completed",
  notNested: "!has(resp_data.owner.nope) && resp_data['owner'].login.startsWith('b')",
};
const REQUEST_CHECKS = [{ check_expr: "req_method == 'GET'" }, { check_expr: "req_path.matches('^/[a-z]+/[a-zA-Z]+/[a-zA-Z]+$')" }];

let backend: TestBackend;
let gw: RunningGateway;

before(async () => {
  backend = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(BODIES[req.url!.slice(1)]);
  });
  const endpoints = [];
  for (const [check, expr] of Object.entries(CHECKS)) {
    for (const name of Object.keys(BODIES)) {
      const backends = [{ host: [backend.origin], url_pattern: `/${name}` }];
      const extra_config = { 'validation/cel': [...REQUEST_CHECKS, { check_expr: expr }] };
      endpoints.push({ endpoint: `/fast/${check}/${name}`, backend: backends, extra_config });
      endpoints.push({ endpoint: `/general/${check}/${name}`, backend: backends, extra_config, concurrent_calls: 2 });
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

test('every checked answer of the direct JSON path equals the general path: status, headers, bytes', async () => {
  for (const check of Object.keys(CHECKS)) {
    for (const name of Object.keys(BODIES)) {
      const fast = await get(`/fast/${check}/${name}`);
      const general = await get(`/general/${check}/${name}`);
      const what = `${check}/${name}`;
      assert.equal(fast.status, general.status, what);
      assert.deepEqual(withoutDate(fast.headers), withoutDate(general.headers), what);
      assert.equal(fast.body.toString('hex'), general.body.toString('hex'), what);
    }
  }
});

test('the checked answers themselves', async () => {
  const bench = await get('/fast/pass/bench');
  assert.equal(bench.status, 200);
  assert.equal(bench.headers['x-rampart-completed'], 'true');
  assert.deepEqual(JSON.parse(bench.body.toString()), JSON.parse(originBody()));
  assert.equal((await get('/fast/pass/pretty')).body.toString('hex'), bench.body.toString('hex'));
  for (const path of ['/fast/fail/bench', '/fast/missing/bench', '/fast/pass/zero', '/fast/nested/ownerList', '/fast/nested/empty']) {
    const r = await get(path);
    assert.equal(r.status, 500, path);
    assert.equal(r.body.length, 0, `${path}: no body without return_error_msg`);
    assert.equal(r.headers['x-rampart-completed'], 'false', path);
  }
  for (const path of ['/fast/nested/bench', '/fast/notNested/bench', '/fast/pass/lone']) assert.equal((await get(path)).status, 200, path);
  // The general path's verdicts where the Go bytes differ from the data: a lone surrogate, a
  // `constructor` member (cel-js cannot type the object: evaluation error).
  assert.equal((await get('/fast/nested/lone')).status, 500);
  for (const path of ['/fast/pass/constructor', '/fast/notNested/constructor']) assert.equal((await get(path)).status, 500, path);
});
