// modifier/jmespath (endpoint: after the merge; backend: that backend's data) and the body
// generators (request, backend-level, response) over real sockets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const last = (prefix: string) => be.seen.filter((s) => s.url.startsWith(prefix)).at(-1);

before(async () => {
  be = await startBackend((req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url!.startsWith('/users'))
      return void res.end(
        JSON.stringify({
          users: [
            { name: 'ada', age: 36 },
            { name: 'alan', age: 41 },
            { name: 'grace', age: 85 },
          ],
        }),
      );
    if (req.url!.startsWith('/orders'))
      return void res.end(
        JSON.stringify({
          orders: [
            { id: 1, total: 10 },
            { id: 2, total: 25 },
          ],
        }),
      );
    if (req.url!.startsWith('/deep')) return void res.end(JSON.stringify({ a: [1] }));
    res.end(JSON.stringify({ echo: body, ctype: req.headers['content-type'] ?? null, method: req.method }));
  });
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    endpoints: [
      {
        endpoint: '/merged',
        extra_config: { 'modifier/jmespath': { expr: '{names: users[].name, big: orders[?total > `20`].id}' } },
        backend: [
          { host: [be.origin], url_pattern: '/users' },
          { host: [be.origin], url_pattern: '/orders' },
        ],
      },
      {
        endpoint: '/per-backend',
        backend: [
          { host: [be.origin], url_pattern: '/users', extra_config: { 'modifier/jmespath': { expr: 'users[?age > `40`].name' } } },
          { host: [be.origin], url_pattern: '/orders', group: 'o' },
        ],
      },
      { endpoint: '/scalar', extra_config: { 'modifier/jmespath': { expr: 'length(users)' } }, backend: [{ host: [be.origin], url_pattern: '/users' }] },
      // A runtime error (abs of a string): 500, nothing of the expression leaks.
      {
        endpoint: '/jmes-fails',
        extra_config: { 'modifier/jmespath': { expr: 'abs(users[0].name)' } },
        backend: [{ host: [be.origin], url_pattern: '/users' }],
      },
      // Exponential growth stops at the step budget.
      {
        endpoint: '/jmes-bomb',
        extra_config: { 'modifier/jmespath': { expr: Array(30).fill('[@,@][]').join('|') } },
        backend: [{ host: [be.origin], url_pattern: '/deep' }],
      },
      {
        endpoint: '/gen/{id}',
        method: 'POST',
        input_headers: ['X-Tenant'],
        input_query_strings: ['lang'],
        extra_config: {
          'modifier/request-body-generator': {
            template: b64(
              '{"id":{{ toJson .req_params.Id }},"name":{{ toJson .req_body.name }},"tenant":{{ toJson (index .req_headers "X-Tenant" 0) }},"lang":{{ toJson (index .req_querystring "lang" 0) }},"env":{{ toJson .variables.env }}}',
            ),
            content_type: 'application/json',
            variables: { env: 'prod' },
          },
        },
        backend: [{ host: [be.origin], url_pattern: '/echo', method: 'POST' }],
      },
      {
        endpoint: '/gen-backend',
        method: 'POST',
        backend: [
          {
            host: [be.origin],
            url_pattern: '/echo',
            method: 'POST',
            extra_config: { 'modifier/body-generator': { template: b64('<q>{{ .req_body.q }}</q>'), content_type: 'application/xml' } },
          },
        ],
      },
      {
        endpoint: '/resp-gen',
        extra_config: {
          'modifier/jmespath': { expr: 'users[?age > `40`]' },
          'modifier/response-body-generator': {
            template: b64('{{- range $i, $u := .resp_body.collection }}{{ if $i }},{{ end }}{{ $u.name }}{{ end -}}'),
            content_type: 'text/csv',
          },
        },
        backend: [{ host: [be.origin], url_pattern: '/users' }],
      },
      {
        endpoint: '/resp-gen-backend',
        backend: [
          {
            host: [be.origin],
            url_pattern: '/users',
            extra_config: { 'modifier/response-body-generator': { template: b64('{"count": {{ len .resp_body.users }}, "status": {{ .resp_status }}}') } },
          },
        ],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('endpoint jmespath runs on the merged data', async () => {
  const r = await http(gw.port, 'GET', '/merged');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { names: ['ada', 'alan', 'grace'], big: [2] });
});

test('backend jmespath runs on that backend only, before the merge (arrays under "collection")', async () => {
  const r = await http(gw.port, 'GET', '/per-backend');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), {
    collection: ['alan', 'grace'],
    o: {
      orders: [
        { id: 1, total: 10 },
        { id: 2, total: 25 },
      ],
    },
  });
});

test('a scalar result is wrapped', async () => {
  const r = await http(gw.port, 'GET', '/scalar');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { content: 3 });
});

test('a jmespath runtime error answers 500 without internals', async () => {
  const r = await http(gw.port, 'GET', '/jmes-fails');
  assert.equal(r.status, 500);
  assert.ok(!r.body.includes('abs'), r.body);
});

test('an exponential jmespath expression stops at its budget, and the gateway keeps serving', async () => {
  const t0 = Date.now();
  const r = await http(gw.port, 'GET', '/jmes-bomb');
  assert.equal(r.status, 500);
  assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  assert.equal((await http(gw.port, 'GET', '/scalar')).status, 200);
});

test('request-body-generator: the body every backend gets, from params, body, forwarded headers and query', async () => {
  const r = await http(
    gw.port,
    'POST',
    '/gen/42?lang=fr&other=x',
    { 'content-type': 'application/json', 'X-Tenant': 'acme', 'X-Hidden': 'h' },
    '{"name":"ada","extra":1}',
  );
  assert.equal(r.status, 200, r.body);
  const s = last('/echo')!;
  assert.deepEqual(JSON.parse(s.body), { id: '42', name: 'ada', tenant: 'acme', lang: 'fr', env: 'prod' });
  assert.equal(s.headers['content-type'], 'application/json');
});

test("modifier/body-generator (backend): that backend's body and content type", async () => {
  const r = await http(gw.port, 'POST', '/gen-backend', { 'content-type': 'application/json' }, '{"q":"a<b"}');
  assert.equal(r.status, 200, r.body);
  const s = last('/echo')!;
  assert.equal(s.body, '<q>a<b</q>');
  assert.equal(s.headers['content-type'], 'application/xml');
});

test('response-body-generator (endpoint) renders what jmespath produced', async () => {
  const r = await http(gw.port, 'GET', '/resp-gen');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, 'alan,grace');
  assert.match(String(r.headers['content-type']), /^text\/csv/);
});

test('response-body-generator (backend) rewrites the body before decoding', async () => {
  const r = await http(gw.port, 'GET', '/resp-gen-backend');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { count: 3, status: 200 });
});

test('a bad expression or template stops startup with its pointer', () => {
  const run = (extra: Record<string, unknown>) => {
    const file = writeConfig({
      version: 3,
      endpoints: [{ endpoint: '/a', extra_config: extra, backend: [{ host: ['http://127.0.0.1:9'], url_pattern: '/a' }] }],
    });
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  let r = run({ 'modifier/jmespath': { expr: 'users[?' } });
  assert.equal(r.code, 1, r.out);
  assert.ok(r.out.includes('/endpoints/0/extra_config/modifier~1jmespath/expr: '), r.out);
  r = run({ 'modifier/jmespath': { expr: 'nope(a)' } });
  assert.equal(r.code, 1, r.out);
  r = run({ 'modifier/response-body-generator': { template: b64('{{ if .x }}') } });
  assert.equal(r.code, 1, r.out);
  assert.ok(r.out.includes('/endpoints/0/extra_config/modifier~1response-body-generator/template: '), r.out);
  r = run({ 'modifier/request-body-generator': { template: b64('{{ define "x" }}{{ end }}') } });
  assert.equal(r.code, 1, r.out);
  assert.doesNotMatch(r.out, /\n\s+at /);
});
