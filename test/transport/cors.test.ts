// security/cors over real sockets: pre-flights answered by the gateway (204, never routed, the
// backend never called), exact and wildcard-subdomain origins, no CORS headers at all for a
// disallowed or `null` origin (even when a no-op backend sends its own), Vary: Origin always,
// credentials only with an explicit origin list, and unsafe configs refused at startup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { check } from './helpers/check.js';

let be: TestBackend;
let gw: RunningGateway;

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-expose-headers',
  'access-control-max-age',
];
const noCors = (h: Record<string, unknown>) => CORS_HEADERS.filter((n) => h[n] !== undefined);

before(async () => {
  be = await startBackend((req, res) => {
    if (req.url === '/raw') {
      res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': '*', vary: 'Accept-Encoding' });
      return void res.end('raw');
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      'security/cors': {
        allow_origins: ['https://app.example.test', 'https://*.tenant.example.test', 'http://localhost:*'],
        allow_methods: ['GET', 'POST', 'PUT'],
        allow_headers: ['Content-Type', 'X-Api-Key'],
        expose_headers: ['x-request-id', 'content-length'],
        allow_credentials: true,
        max_age: '10m',
      },
    },
    endpoints: [
      { endpoint: '/items', backend: [{ url_pattern: '/items' }] },
      { endpoint: '/items', method: 'PUT', backend: [{ url_pattern: '/items' }] },
      { endpoint: '/raw', output_encoding: 'no-op', backend: [{ url_pattern: '/raw' }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

const preflight = (origin: string | undefined, method: string, headers?: string) =>
  http(gw.port, 'OPTIONS', '/items', {
    ...(origin !== undefined ? { Origin: origin } : {}),
    'Access-Control-Request-Method': method,
    ...(headers !== undefined ? { 'Access-Control-Request-Headers': headers } : {}),
  });

test('an allowed pre-flight is answered by the gateway: 204 with the CORS headers, backend untouched', async () => {
  const n = be.seen.length;
  const r = await preflight('https://app.example.test', 'PUT', 'content-type,x-api-key');
  assert.equal(r.status, 204);
  assert.equal(r.body, '');
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example.test');
  assert.equal(r.headers['access-control-allow-methods'], 'PUT');
  assert.equal(r.headers['access-control-allow-headers'], 'content-type,x-api-key');
  assert.equal(r.headers['access-control-allow-credentials'], 'true');
  assert.equal(r.headers['access-control-max-age'], '600');
  assert.equal(r.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  assert.equal(be.seen.length, n);
});

test('wildcard subdomains and ports match only what they should', async () => {
  for (const o of ['https://a.tenant.example.test', 'https://a.b.tenant.example.test', 'http://localhost:3000', 'HTTPS://APP.EXAMPLE.TEST']) {
    assert.equal((await preflight(o, 'GET')).headers['access-control-allow-origin'], o, o);
  }
  for (const o of [
    'https://tenant.example.test',
    'https://eviltenant.example.test',
    'http://a.tenant.example.test',
    'https://app.example.test.evil.test',
    'https://evil.test/.tenant.example.test',
    'http://localhost:3000.evil.test',
    'http://localhost',
    'https://app.example.test:8443',
  ]) {
    const r = await preflight(o, 'GET');
    assert.equal(r.status, 204, o);
    assert.deepEqual(noCors(r.headers), [], o);
  }
});

test('refused pre-flights get 204 without any CORS header: origin, method, header, case', async () => {
  const n = be.seen.length;
  const cases: [string | undefined, string, string | undefined][] = [
    ['https://evil.test', 'GET', undefined],
    ['null', 'GET', undefined],
    [undefined, 'GET', undefined],
    ['https://app.example.test', 'DELETE', undefined],
    ['https://app.example.test', 'PUT', 'x-other'],
    ['https://app.example.test', 'PUT', 'Content-Type'],
    ['https://app.example.test', 'PUT', 'x-api-key,content-type'],
  ];
  for (const [o, m, h] of cases) {
    const r = await preflight(o, m, h);
    assert.equal(r.status, 204, `${o} ${m} ${h}`);
    assert.deepEqual(noCors(r.headers), [], `${o} ${m} ${h}`);
    assert.match(String(r.headers.vary), /^Origin, /);
  }
  assert.equal(be.seen.length, n);
});

test('actual requests: CORS headers for an allowed origin, none for others, Vary: Origin always', async () => {
  const ok = await http(gw.port, 'GET', '/items', { Origin: 'https://x.tenant.example.test' });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['access-control-allow-origin'], 'https://x.tenant.example.test');
  assert.equal(ok.headers['access-control-expose-headers'], 'X-Request-Id, Content-Length');
  assert.equal(ok.headers['access-control-allow-credentials'], 'true');
  assert.equal(ok.headers.vary, 'Origin');
  // Exact origins compare case-insensitively; the value is echoed as sent.
  const upper = await http(gw.port, 'GET', '/items', { Origin: 'HTTPS://App.Example.TEST' });
  assert.equal(upper.headers['access-control-allow-origin'], 'HTTPS://App.Example.TEST');
  for (const origin of ['https://evil.test', 'null', 'https://app.example.test.evil.test']) {
    const r = await http(gw.port, 'GET', '/items', { Origin: origin });
    assert.equal(r.status, 200, 'CORS is not access control: the request still runs');
    assert.deepEqual(noCors(r.headers), [], origin);
    assert.equal(r.headers.vary, 'Origin');
  }
  const none = await http(gw.port, 'GET', '/items');
  assert.deepEqual(noCors(none.headers), []);
  assert.equal(none.headers.vary, 'Origin');
});

test("a no-op backend's Access-Control-* headers never reach the client; its Vary is kept", async () => {
  const bad = await http(gw.port, 'GET', '/raw', { Origin: 'https://evil.test' });
  assert.equal(bad.status, 200);
  assert.equal(bad.body, 'raw');
  assert.deepEqual(noCors(bad.headers), []);
  assert.deepEqual(String(bad.headers.vary).split(', ').sort(), ['Accept-Encoding', 'Origin']);
  const good = await http(gw.port, 'GET', '/raw', { Origin: 'https://app.example.test' });
  assert.equal(good.headers['access-control-allow-origin'], 'https://app.example.test');
});

test('unsafe CORS configs are refused at startup', () => {
  const base = { version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }] };
  const cases: [object, RegExp][] = [
    [{ allow_origins: ['*'], allow_credentials: true }, /allow_credentials with every origin allowed/],
    [{ allow_credentials: true }, /allow_credentials with every origin allowed/],
    [{ allow_origins: ['https://a.test', 'null'] }, /allow_origins\/1: the "null" origin cannot be allowed/],
    [{ allow_origins: ['https://*.*.test'] }, /more than one "\*"/],
    [{ allow_origins: ['*.example.test'] }, /the "\*" must stand inside the host/],
    [{ allow_origins: ['https://a.test/*'] }, /the "\*" must stand inside the host/],
    [{ max_age: '12 hours' }, /security~1cors\/max_age: invalid duration/],
  ];
  for (const [cors, re] of cases) {
    const r = check({ ...base, extra_config: { 'security/cors': cors } });
    assert.equal(r.code, 1, `${JSON.stringify(cors)}\n${r.out}`);
    assert.match(r.out, re);
  }
});
