// validation/json-schema and validation/cel wired into the gateway, over real sockets: the body
// checked before any backend call (with and without Content-Type, duplicate keys, __proto__,
// empty, oversized), CEL checks on headers, params, query, JWT claims and answers (endpoint and
// backend level: a backend's failed check gives a partial answer), each with a passing control,
// a catastrophic pattern against a long header, and configs that must not start.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { makeKey, mint, writeJwksFile, jwks } from '../auth/helpers/tokens.js';

let be: TestBackend;
let gw: RunningGateway;
let quiet: RunningGateway;
let adminToken: string;
let userToken: string;

const schema = { type: 'object', required: ['n'], properties: { n: { type: 'number' }, code: { type: 'string', pattern: '^(?i)ab+$' } } };

function endpoints(origin: string, validator: object) {
  return [
    { endpoint: '/body', method: 'POST', extra_config: { 'validation/json-schema': schema }, backend: [{ host: [origin], url_pattern: '/echo' }] },
    {
      endpoint: '/cel/{id}',
      input_headers: ['X-Tenant'],
      input_query_strings: ['mode'],
      extra_config: {
        'validation/cel': [
          { check_expr: "'acme' in req_headers['X-Tenant']" },
          { check_expr: 'int(req_params.Id) % 2 == 0' },
          { check_expr: "!('mode' in req_querystring) || req_querystring.mode[0] != 'evil'" },
          { check_expr: 'resp_data.a.v < 10' },
        ],
      },
      backend: [
        { host: [origin], url_pattern: '/a/{id}', group: 'a' },
        { host: [origin], url_pattern: '/b/{id}', group: 'b', extra_config: { 'validation/cel': [{ check_expr: 'int(req_params.Id) % 4 == 0' }] } },
        // Backend-level checks see the shaped data (group applied), as in KrakenD.
        { host: [origin], url_pattern: '/c/{id}', group: 'c', extra_config: { 'validation/cel': [{ check_expr: "resp_data.c.kind == 'good'" }] } },
      ],
    },
    {
      endpoint: '/regex',
      input_headers: ['X-A'],
      extra_config: { 'validation/cel': [{ check_expr: "req_headers['X-A'][0].matches('^(a+)+$')" }] },
      backend: [{ host: [origin], url_pattern: '/a/0' }],
    },
    {
      endpoint: '/jwt',
      extra_config: { 'auth/validator': validator, 'validation/cel': [{ check_expr: "'admin' in JWT.roles" }] },
      backend: [{ host: [origin], url_pattern: '/a/0' }],
    },
  ];
}

before(async () => {
  const key = await makeKey('k1');
  const validator = { alg: 'RS256', jwk_local_path: writeJwksFile(jwks(key)) };
  adminToken = await mint(key, { sub: 'a', roles: ['admin'] });
  userToken = await mint(key, { sub: 'u', roles: ['user'] });
  be = await startBackend((req, res, body) => {
    const u = req.url!;
    res.writeHead(200, { 'content-type': 'application/json' });
    if (u.startsWith('/echo')) return void res.end(JSON.stringify({ got: body }));
    const id = Number(u.split('/')[2].split('?')[0]);
    if (u.startsWith('/a/')) return void res.end(JSON.stringify({ v: id }));
    if (u.startsWith('/b/')) return void res.end(JSON.stringify({ b: id }));
    res.end(JSON.stringify({ kind: id === 8 ? 'bad' : 'good' }));
  });
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    extra_config: { router: { return_error_msg: true, max_payload: 4096 } },
    endpoints: endpoints(be.origin, validator),
  });
  quiet = await startGateway({ version: 3, timeout: '2s', endpoints: endpoints(be.origin, validator) });
});

after(async () => {
  await gw?.stop();
  await quiet?.stop();
  await be?.close();
});

const callsTo = (prefix: string) => be.seen.filter((s) => s.url.startsWith(prefix)).length;

test('json-schema: a valid body passes unchanged, with or without Content-Type', async () => {
  const variants: Record<string, string>[] = [{}, { 'content-type': 'application/json' }, { 'content-type': 'text/plain' }];
  for (const headers of variants) {
    const r = await http(gw.port, 'POST', '/body', headers, '{"n": 1, "code":"ABb"}');
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).got, '{"n": 1, "code":"ABb"}');
  }
});

test('json-schema: violations, duplicate keys, __proto__, empty and malformed bodies are 400 before any backend call', async () => {
  const before = callsTo('/echo');
  const bad = [
    '{"n":"x"}',
    '{"code":"ab"}',
    '{"n":1,"code":"ac"}',
    '{"n":1,"n":"x"}',
    '{"n":1,"__proto__":{"n":"x"}}',
    '{"n":1,"\\u005f_proto__":{}}',
    '',
    '{"n":',
    '\ufeff{"n":1}',
    '[1]',
  ];
  for (const body of bad) {
    const r = await http(gw.port, 'POST', '/body', {}, body);
    assert.equal(r.status, 400, `body ${JSON.stringify(body)}`);
    assert.ok(r.body.length > 0, 'return_error_msg: a reason');
    assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    const q = await http(quiet.port, 'POST', '/body', { 'content-type': 'application/json' }, body);
    assert.equal(q.status, 400);
    assert.equal(q.body, '', 'no reason without return_error_msg');
  }
  const v = await http(gw.port, 'POST', '/body', {}, '{"n":"x"}');
  assert.match(v.body, /at '\/n': must be number/);
  assert.equal(callsTo('/echo'), before, 'a refused body reached the backend');
});

test('json-schema: a body over max_payload is 413', async () => {
  const r = await http(gw.port, 'POST', '/body', {}, `{"n":1,"pad":"${'x'.repeat(5000)}"}`);
  assert.equal(r.status, 413);
});

test('cel: request checks on headers, params and query, each with a passing control', async () => {
  const ok = await http(gw.port, 'GET', '/cel/4?mode=fine', { 'x-tenant': 'acme' });
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.body), { a: { v: 4 }, b: { b: 4 }, c: { kind: 'good' } });
  assert.equal(ok.headers['x-rampart-completed'], 'true');
  const cases: [string, Record<string, string>, string][] = [
    ['/cel/4', { 'x-tenant': 'other' }, '#0'],
    ['/cel/4', {}, '#0'],
    ['/cel/3', { 'x-tenant': 'acme' }, '#1'],
    ['/cel/4?mode=evil', { 'x-tenant': 'acme' }, '#2'],
  ];
  for (const [path, headers, which] of cases) {
    const before = be.seen.length;
    const r = await http(gw.port, 'GET', path, headers);
    assert.equal(r.status, 500, path);
    assert.equal(r.body, `request aborted by evaluator ${which}`);
    assert.equal(r.headers['x-rampart-completed'], 'false');
    assert.equal(be.seen.length, before, 'a refused request reached a backend');
    const q = await http(quiet.port, 'GET', path, headers);
    assert.equal(q.status, 500);
    assert.equal(q.body, '');
  }
});

test('cel: a failed backend-level check skips that backend only (partial answer)', async () => {
  const r = await http(gw.port, 'GET', '/cel/2', { 'x-tenant': 'acme' });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { a: { v: 2 }, c: { kind: 'good' } });
  assert.equal(r.headers['x-rampart-completed'], 'false');
  assert.ok(!be.seen.some((s) => s.url === '/b/2'), 'the skipped backend was called');
  const resp = await http(gw.port, 'GET', '/cel/8', { 'x-tenant': 'acme' });
  assert.equal(resp.status, 200);
  assert.deepEqual(JSON.parse(resp.body), { a: { v: 8 }, b: { b: 8 } });
  assert.equal(resp.headers['x-rampart-completed'], 'false');
});

test('cel: an endpoint response check that fails answers 500 without the data', async () => {
  const r = await http(gw.port, 'GET', '/cel/12', { 'x-tenant': 'acme' });
  assert.equal(r.status, 500);
  assert.equal(r.body, 'request aborted by evaluator #0');
  const q = await http(quiet.port, 'GET', '/cel/12', { 'x-tenant': 'acme' });
  assert.equal(q.status, 500);
  assert.equal(q.body, '');
});

test('cel: JWT checks read verified claims (401 otherwise)', async () => {
  assert.equal((await http(gw.port, 'GET', '/jwt', { authorization: `Bearer ${adminToken}` })).status, 200);
  const r = await http(gw.port, 'GET', '/jwt', { authorization: `Bearer ${userToken}` });
  assert.equal(r.status, 401);
  assert.equal(r.body, '');
  assert.equal((await http(gw.port, 'GET', '/jwt')).status, 401);
});

test('cel: a catastrophic pattern against a long header answers quickly, other requests keep being served', async () => {
  const evil = 'a'.repeat(6000) + '!';
  const t = Date.now();
  const [r, other] = await Promise.all([http(gw.port, 'GET', '/regex', { 'x-a': evil }), http(gw.port, 'GET', '/regex', { 'x-a': 'aaa' })]);
  assert.equal(r.status, 500);
  assert.equal(other.status, 200);
  assert.ok(Date.now() - t < 1000, `took ${Date.now() - t} ms`);
});

function check(config: object): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig(config)], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('configs that must not start: each names its pointer', () => {
  const ep = (extra: object, bextra: object = {}) => ({
    version: 3,
    endpoints: [{ endpoint: '/x', method: 'POST', extra_config: extra, backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/', extra_config: bextra }] }],
  });
  const cases: [object, RegExp][] = [
    [
      ep({ 'validation/json-schema': { $ref: 'https://example.com/s.json' } }),
      /\/endpoints\/0\/extra_config\/validation~1json-schema\/\$ref: .*leaves the schema document/,
    ],
    [ep({ 'validation/json-schema': { type: 'string', pattern: '(?=a)' } }), /validation~1json-schema\/pattern: .*RE2/],
    [ep({ 'validation/json-schema': { type: 'string', format: 'no-such' } }), /validation~1json-schema/],
    [ep({ 'validation/cel': [{ check_expr: "req_method == 'GET' && resp_data.x == 1" }] }), /validation~1cel\/0\/check_expr: /],
    [ep({ 'validation/cel': [{ check_expr: 'req_body == 1' }] }), /validation~1cel\/0\/check_expr: /],
    [ep({ 'validation/cel': [{ check_expr: 'size(JWT.roles) > 0' }] }), /validation~1cel\/0\/check_expr: /],
    [ep({}, { 'validation/cel': [{ check_expr: 'req_path.matches(req_method)' }] }), /backend\/0\/extra_config\/validation~1cel\/0\/check_expr: /],
    [ep({ 'validation/cel': [{ check_expr: '1 + 1' }] }), /validation~1cel\/0\/check_expr: /],
  ];
  for (const [config, want] of cases) {
    const r = check(config);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, want);
    assert.ok(!/\n\s+at /.test(r.out), `a stack trace: ${r.out}`);
  }
});
