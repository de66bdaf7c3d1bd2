// validation/response-json-schema, security/policies and modifier/response-body wired into the
// gateway over real sockets: invalid answers become the configured error (endpoint) or a
// partial answer (backend); req/resp/jwt policies with passing controls; masked fields never
// reach the client in any encoding while unmasked fields arrive unchanged; fail closed.
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

const CARD = '4111111111111111';
const EMAIL = 'ada@example.com';
const TOKEN = 'tok_9Zq1secret';
const user = { payment: { card: CARD }, user: { email: EMAIL, token: TOKEN, name: 'Ada' }, n: 7 };
const masking = {
  modifiers: [
    { regexp: { field: 'payment.card', find: '^\\d{12}(\\d{4})$', replace: '************$1' } },
    { regexp: { field: 'user.email', find: '^([^@])[^@]*@', replace: '${1}***@' } },
    { regexp: { field: 'user.token', find: '.+', replace: '[redacted]' } },
  ],
};

function endpoints(origin: string, validator: object) {
  const b = (url: string, extra: object = {}, more: object = {}) => ({ host: [origin], url_pattern: url, extra_config: extra, ...more });
  return [
    { endpoint: '/rs/good', extra_config: { 'validation/response-json-schema': { schema: { type: 'object', required: ['n'] } } }, backend: [b('/user')] },
    {
      endpoint: '/rs/bad',
      extra_config: {
        'validation/response-json-schema': {
          schema: { type: 'object', required: ['missing'] },
          error: { status: 502, body: 'bad upstream', content_type: 'text/plain' },
        },
      },
      backend: [b('/user')],
    },
    {
      endpoint: '/rs/default',
      extra_config: { 'validation/response-json-schema': { schema: { type: 'object', properties: { n: { type: 'string' } } } } },
      backend: [b('/user')],
    },
    {
      endpoint: '/rs/partial',
      backend: [
        b('/user', {}, { group: 'u' }),
        b('/user', { 'validation/response-json-schema': { schema: { type: 'object', required: ['nope'] } } }, { group: 'v' }),
      ],
    },
    {
      endpoint: '/pol/{id}',
      input_headers: ['X-Plan'],
      extra_config: {
        'security/policies': {
          req: { policies: ['between(int(req_params.Id), 1, 100)', "!isEmpty(req_headers['X-Plan'])"], error: { status: 403, body: 'plan required' } },
          resp: { policies: ['resp_data.n < 10'], error: { status: 502, body: 'odd answer' } },
        },
      },
      backend: [b('/user/{id}')],
    },
    { endpoint: '/pol-resp', extra_config: { 'security/policies': { resp: { policies: ['resp_data.n > 10'] } } }, backend: [b('/user')] },
    {
      endpoint: '/pol-jwt',
      extra_config: { 'auth/validator': validator, 'security/policies': { jwt: { policies: ["'admin' in JWT.roles"] } } },
      backend: [b('/user')],
    },
    {
      endpoint: '/pol-backend/{id}',
      backend: [
        b('/user/{id}', {}, { group: 'a' }),
        b('/user/{id}', { 'security/policies': { req: { policies: ['int(req_params.Id) > 5'] } } }, { group: 'b' }),
      ],
    },
    { endpoint: '/mask', extra_config: { 'modifier/response-body': masking }, backend: [b('/user')] },
    { endpoint: '/mask-neg', output_encoding: 'negotiate', extra_config: { 'modifier/response-body': masking }, backend: [b('/user')] },
    // Backend-level masking sees the shaped data: field paths include the group.
    {
      endpoint: '/mask-backend',
      backend: [
        b('/user', { 'modifier/response-body': { modifiers: [{ regexp: { field: 'g.payment.card', find: '^\\d{12}', replace: 'x' } }] } }, { group: 'g' }),
        b('/user', {}, { group: 'raw', allow: ['n'] }),
      ],
    },
    { endpoint: '/mask-all', extra_config: { 'modifier/response-body': { modifiers: [{ literal: { find: 'Ada', replace: 'X' } }] } }, backend: [b('/user')] },
    {
      endpoint: '/mask-noop',
      output_encoding: 'no-op',
      extra_config: { 'modifier/response-body': { modifiers: [{ regexp: { find: '\\d{16}', replace: '[card]' } }] } },
      backend: [b('/user', {}, { encoding: 'no-op' })],
    },
    {
      endpoint: '/mask-noop-field',
      output_encoding: 'no-op',
      extra_config: { 'modifier/response-body': masking },
      backend: [b('/user', {}, { encoding: 'no-op' })],
    },
  ];
}

before(async () => {
  const key = await makeKey('k1');
  const validator = { alg: 'RS256', jwk_local_path: writeJwksFile(jwks(key)) };
  adminToken = await mint(key, { sub: 'a', roles: ['admin'] });
  userToken = await mint(key, { sub: 'u', roles: ['user'] });
  be = await startBackend((req, res) => {
    const id = Number(req.url!.split('/')[2] ?? '7');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...user, n: Number.isFinite(id) ? id : 7 }));
  });
  gw = await startGateway({ version: 3, timeout: '2s', extra_config: { router: { return_error_msg: true } }, endpoints: endpoints(be.origin, validator) });
  quiet = await startGateway({ version: 3, timeout: '2s', endpoints: endpoints(be.origin, validator) });
});

after(async () => {
  await gw?.stop();
  await quiet?.stop();
  await be?.close();
});

test('response-json-schema: a valid answer passes; an invalid one becomes the configured error', async () => {
  const ok = await http(gw.port, 'GET', '/rs/good');
  assert.equal(ok.status, 200);
  assert.equal(JSON.parse(ok.body).n, 7);
  for (const port of [gw.port, quiet.port]) {
    const r = await http(port, 'GET', '/rs/bad');
    assert.equal(r.status, 502);
    assert.equal(r.body, 'bad upstream', 'a configured error.body is always sent');
    assert.ok(!r.body.includes(CARD));
  }
  const d = await http(gw.port, 'GET', '/rs/default');
  assert.equal(d.status, 500);
  assert.match(d.body, /must be string/);
  assert.ok(!d.body.includes(CARD));
  const q = await http(quiet.port, 'GET', '/rs/default');
  assert.equal(q.status, 500);
  assert.equal(q.body, '');
});

test('response-json-schema at backend level: that backend fails, the answer is partial', async () => {
  const r = await http(gw.port, 'GET', '/rs/partial');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(JSON.parse(r.body)), ['u']);
  assert.equal(r.headers['x-rampart-completed'], 'false');
});

test('policies: req policies (between, isEmpty) with their configured error, and a passing control', async () => {
  const ok = await http(gw.port, 'GET', '/pol/5', { 'x-plan': 'gold' });
  assert.equal(ok.status, 200);
  const before = be.seen.length;
  for (const [path, headers] of [
    ['/pol/500', { 'x-plan': 'gold' }],
    ['/pol/5', {}],
    ['/pol/0', { 'x-plan': 'gold' }],
  ] as const) {
    const r = await http(gw.port, 'GET', path, headers);
    assert.equal(r.status, 403, path);
    assert.equal(r.body, 'plan required');
    const q = await http(quiet.port, 'GET', path, headers);
    assert.equal(q.status, 403);
    assert.equal(q.body, '', 'error.body only with return_error_msg');
  }
  assert.equal(be.seen.length, before, 'a refused request reached the backend');
});

test('policies: resp policies replace the answer, without its data', async () => {
  const r = await http(gw.port, 'GET', '/pol/50', { 'x-plan': 'gold' });
  assert.equal(r.status, 502);
  assert.equal(r.body, 'odd answer');
  const d = await http(gw.port, 'GET', '/pol-resp');
  assert.equal(d.status, 500);
  assert.ok(!d.body.includes(CARD));
});

test('policies: jwt policies read verified claims (401, no body)', async () => {
  assert.equal((await http(gw.port, 'GET', '/pol-jwt', { authorization: `Bearer ${adminToken}` })).status, 200);
  const r = await http(gw.port, 'GET', '/pol-jwt', { authorization: `Bearer ${userToken}` });
  assert.equal(r.status, 401);
  assert.equal(r.body, '');
});

test('policies at backend level: a failed req policy skips that backend (partial answer)', async () => {
  const both = await http(gw.port, 'GET', '/pol-backend/9');
  assert.deepEqual(Object.keys(JSON.parse(both.body)).sort(), ['a', 'b']);
  const r = await http(gw.port, 'GET', '/pol-backend/3');
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(JSON.parse(r.body)), ['a']);
  assert.equal(r.headers['x-rampart-completed'], 'false');
});

test('masking: card, email and token masked; other fields unchanged; in JSON and XML', async () => {
  const r = await http(gw.port, 'GET', '/mask');
  assert.equal(r.status, 200);
  const j = JSON.parse(r.body);
  assert.equal(j.payment.card, '************1111');
  assert.equal(j.user.email, 'a***@example.com');
  assert.equal(j.user.token, '[redacted]');
  assert.equal(j.user.name, 'Ada');
  assert.equal(j.n, 7);
  for (const accept of ['application/json', 'application/xml', 'text/plain', 'application/x-yaml']) {
    const x = await http(gw.port, 'GET', '/mask-neg', { accept });
    assert.equal(x.status, 200, accept);
    for (const secret of [CARD, 'ada@', TOKEN]) assert.ok(!x.body.includes(secret), `${secret} leaked as ${accept}: ${x.body}`);
    assert.ok(x.body.includes('1111') && x.body.includes('Ada'), accept);
  }
});

test('masking at backend level and of every string (no field)', async () => {
  const r = await http(gw.port, 'GET', '/mask-backend');
  const j = JSON.parse(r.body);
  assert.equal(j.g.payment.card, 'x1111');
  assert.deepEqual(j.raw, { n: 7 });
  const all = await http(gw.port, 'GET', '/mask-all');
  assert.equal(JSON.parse(all.body).user.name, 'X');
});

test('masking a no-op answer: field-less modifiers apply to the text; field modifiers fail closed', async () => {
  const r = await http(gw.port, 'GET', '/mask-noop');
  assert.equal(r.status, 200);
  assert.ok(!r.body.includes(CARD));
  assert.ok(r.body.includes('[card]'));
  assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
  const f = await http(gw.port, 'GET', '/mask-noop-field');
  assert.equal(f.status, 500);
  assert.ok(!f.body.includes(CARD));
  const gz = await http(gw.port, 'GET', '/mask-noop', { 'accept-encoding': 'gzip' });
  assert.ok(!gz.body.includes(CARD));
});

function check(config: object): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig(config)], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('configs that must not start: each names its pointer', () => {
  const ep = (extra: object, bextra: object = {}, more: object = {}) => ({
    version: 3,
    endpoints: [{ endpoint: '/x', extra_config: extra, backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/', extra_config: bextra }], ...more }],
  });
  const cases: [object, RegExp][] = [
    [ep({ 'validation/response-json-schema': { schema: { $ref: 'file:///etc/passwd' } } }), /validation~1response-json-schema(: |\/)schema/],
    [ep({ 'validation/response-json-schema': { schema: {} } }, {}, { output_encoding: 'no-op' }), /validation~1response-json-schema: .*no-op/],
    [ep({ 'security/policies': { jwt: { policies: ["'a' in JWT.roles"] } } }), /security~1policies.*auth\/validator/],
    [ep({ 'security/policies': { req: { policies: ['resp_data.x == 1'] } } }), /security~1policies\/req\/policies\/0/],
    [ep({ 'security/policies': { req: { policies: ['hasHeader("x")'] } } }), /security~1policies\/req\/policies\/0/],
    [ep({ 'modifier/response-body': { modifiers: [{ regexp: { find: '(a)\\1', replace: '' } }] } }), /modifier~1response-body\/modifiers\/0\/regexp\/find/],
    [
      ep(
        {},
        { 'modifier/response-body': { modifiers: [{ upper: {} }] } },
        {
          output_encoding: 'no-op',
          backend: [
            { host: ['http://127.0.0.1:9'], url_pattern: '/', encoding: 'no-op', extra_config: { 'modifier/response-body': { modifiers: [{ upper: {} }] } } },
          ],
        },
      ),
      /backend\/0\/extra_config\/modifier~1response-body: .*no-op/,
    ],
  ];
  for (const [config, want] of cases) {
    const r = check(config);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, want);
    assert.ok(!/\n\s+at /.test(r.out), `a stack trace: ${r.out}`);
  }
});
