// Zero-trust routing and forwarding, tried as an attacker would: only declared routes exist,
// path parameters cannot traverse or inject, only declared headers/queries/cookies pass, the
// upstream Host is the backend's, and backend headers/error bodies do not leak.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http, rawExchange } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  be = await startBackend((req, res) => {
    if (req.url?.startsWith('/fail')) {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-internal': 'secret-stack' });
      return res.end('java.lang.NullPointerException at com.internal.Db(password=hunter2)');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-internal-trace': 'leak', 'set-cookie': 'sid=backend' });
    res.end(JSON.stringify({ path: req.url, ok: true }));
  });
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      { endpoint: '/users/{id}', input_headers: ['X-Tenant'], input_query_strings: ['page'], backend: [{ url_pattern: '/api/users/{id}' }] },
      { endpoint: '/search/{term}', backend: [{ url_pattern: '/find?q={term}&limit=5' }] },
      { endpoint: '/fail', backend: [{ url_pattern: '/fail' }] },
      { endpoint: '/post', method: 'POST', backend: [{ url_pattern: '/post' }] },
      { endpoint: '/all', input_headers: ['*'], backend: [{ url_pattern: '/all' }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('undeclared paths and methods never reach a backend', async () => {
  const before = be.seen.length;
  for (const [m, p] of [
    ['GET', '/'],
    ['GET', '/admin'],
    ['GET', '/users'],
    ['GET', '/users/1/extra'],
    ['DELETE', '/users/1'],
    ['GET', '/api/users/1'],
    ['TRACE', '/users/1'],
    ['HEAD', '/users/1'],
    ['OPTIONS', '/users/1'],
    ['PUT', '/post'],
  ]) {
    const r = await http(gw.port, m, p);
    assert.ok(r.status === 404 || r.status === 405, `${m} ${p} -> ${r.status}`);
  }
  assert.equal((await http(gw.port, 'GET', '/nope')).body, '404 page not found');
  const r405 = await http(gw.port, 'POST', '/users/1');
  assert.equal(r405.status, 405);
  assert.equal(r405.body, '405 method not allowed');
  assert.equal(be.seen.length, before, 'backend was called');
});

test('path traversal in parameters is refused with 400 in every encoding', async () => {
  const before = be.seen.length;
  for (const p of ['/users/..', '/users/.', '/users/%2e%2e', '/users/%2E%2E', '/users/.%2e', '/users/%2e', '/users/%252e%252e', '/users/a%250d']) {
    const r = await http(gw.port, 'GET', p);
    assert.equal(r.status, 400, `${p} -> ${r.status}`);
  }
  assert.equal(be.seen.length, before, 'backend was called');
});

test('parameter values are percent-encoded: no extra segment, query, fragment or CRLF upstream', async () => {
  const cases: [string, string][] = [
    ['/users/x%26y%3Dz', '/api/users/x%26y%3Dz'],
    ['/users/a%20b', '/api/users/a%20b'],
  ];
  for (const [inPath, upstream] of cases) {
    const n = be.seen.length;
    const r = await http(gw.port, 'GET', inPath);
    assert.equal(r.status, 200, `${inPath}: ${r.status}`);
    assert.equal(be.seen[n].url, upstream);
  }
  const n = be.seen.length;
  const q = await http(gw.port, 'GET', '/search/x%26admin%3Dtrue');
  assert.equal(q.status, 200);
  assert.equal(be.seen[n].url, '/find?q=x%26admin%3Dtrue&limit=5');
  // Values that would start a query or fragment, or CR/LF, are refused outright (KrakenD's
  // parameter checker refuses ? and #; Rampart adds control characters).
  for (const p of ['/users/a%3Fadmin%3Dtrue', '/users/a%23frag', '/users/a%0d%0aX-Injected:%201', '/users/a%00b']) {
    assert.equal((await http(gw.port, 'GET', p)).status, 400, p);
  }
  assert.equal(be.seen.length, n + 1);
});

test('only declared headers and query strings pass; cookies and credentials do not', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/users/7?page=2&admin=true&debug=1', {
    'X-Tenant': 'acme',
    Cookie: 'session=s3cr3t',
    Authorization: 'Bearer top-secret',
    'X-Forwarded-For': '6.6.6.6',
    'X-Forwarded-Host': 'evil.example',
    'X-Real-IP': '6.6.6.6',
    Host: 'evil.example',
    'X-Other': 'nope',
  });
  assert.equal(r.status, 200);
  const s = be.seen[n];
  assert.equal(s.url, '/api/users/7?page=2');
  assert.equal(s.headers['x-tenant'], 'acme');
  for (const h of ['cookie', 'authorization', 'x-other', 'x-real-ip']) assert.equal(s.headers[h], undefined, h);
  assert.equal(s.headers['x-forwarded-for'], '127.0.0.1', 'client-sent XFF must be replaced by the peer address');
  assert.equal(s.headers.host, `127.0.0.1:${be.port}`, 'upstream Host must be the backend host');
  assert.equal(s.headers['x-forwarded-host'], 'evil.example');
  assert.match(String(s.headers['user-agent']), /^Rampart Version /);
});

test('backend response headers are not returned to clients', async () => {
  const r = await http(gw.port, 'GET', '/users/1');
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-internal-trace'], undefined);
  assert.equal(r.headers['set-cookie'], undefined);
  assert.equal(r.headers['x-rampart-completed'], 'true');
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.deepEqual(JSON.parse(r.body), { ok: true, path: '/api/users/1' });
});

test('backend error bodies and headers do not leak', async () => {
  const r = await http(gw.port, 'GET', '/fail');
  assert.equal(r.status, 500);
  assert.equal(r.body, '');
  assert.equal(r.headers['x-internal'], undefined);
  assert.ok(!gw.output().includes('hunter2'));
});

test('request smuggling (Content-Length plus Transfer-Encoding) is refused', async () => {
  const n = be.seen.length;
  const payload = 'POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n';
  const r = await rawExchange(gw.port, payload);
  assert.match(r.text, /^HTTP\/1\.1 400/);
  assert.doesNotMatch(r.text, /HTTP\/1\.1 200/);
  assert.equal(be.seen.length, n);
});

test('absolute-form and garbage request targets are refused', async () => {
  const r = await rawExchange(gw.port, 'GET http://evil.example/users/1 HTTP/1.1\r\nHost: evil.example\r\n\r\n');
  assert.match(r.text, /^HTTP\/1\.1 (400|404)/);
  const g = await rawExchange(gw.port, 'GET /users/1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
  assert.match(g.text, /^HTTP\/1\.1 400/);
});

test('even with input_headers ["*"], hop-by-hop and gateway-owned headers never pass', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/all', {
    Connection: 'X-Drop-Me, keep-alive',
    'X-Drop-Me': 'named in Connection',
    'Keep-Alive': 'timeout=999',
    TE: 'trailers',
    Upgrade: 'websocket',
    'Proxy-Authorization': 'Basic cHJveHk6c2VjcmV0',
    'X-Forwarded-For': '6.6.6.6',
    'X-Custom': 'kept',
  });
  assert.equal(r.status, 200);
  const s = be.seen[n];
  assert.equal(s.headers['x-custom'], 'kept');
  for (const h of ['x-drop-me', 'keep-alive', 'te', 'upgrade', 'proxy-authorization']) assert.equal(s.headers[h], undefined, h);
  assert.notEqual(s.headers.connection, 'X-Drop-Me, keep-alive');
  assert.equal(s.headers['x-forwarded-for'], '127.0.0.1');
});
