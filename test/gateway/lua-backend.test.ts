// modifier/lua-backend over real sockets: `pre` on the upstream request (URL, headers, query,
// body), custom_error, failures counted by the circuit breaker, budgets, the host allow-list for
// URLs and http_response, `post` on data and on no-op answers, skip_next, the legacy name, md5.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { luaFiles } from '../helpers/lua-files.js';

let echo: TestBackend;
let evil: TestBackend;
let gw: RunningGateway;
const LIB = 'function add_suffix(req, s) req:url(req:url() .. s) end\n';
const files = luaFiles({ 'lib.lua': LIB });

before(async () => {
  evil = await startBackend();
  echo = await startBackend((req, res, body) => {
    if (req.url!.startsWith('/raw')) {
      res.writeHead(201, { 'content-type': 'text/plain', 'x-up': 'raw' });
      return void res.end('raw body');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, xa: req.headers['x-a'] ?? null, body }));
  });
  const be = (extra: Record<string, unknown>, more: Record<string, unknown> = {}) => [{ host: [echo.origin], url_pattern: '/u', ...more, extra_config: extra }];
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    endpoints: [
      {
        endpoint: '/pre/{id}',
        method: 'POST',
        backend: be({
          'modifier/lua-backend': {
            sources: [files['lib.lua']],
            pre: `local r = request.load()
add_suffix(r, "/" .. r:params("Id"))
r:headers("X-A", "from-lua")
r:query("q=1&z=" .. r:method())
r:body(r:body() .. "+lua")`,
          },
        }),
      },
      { endpoint: '/teapot', backend: be({ 'modifier/lua-backend': { pre: 'custom_error("no coffee", 418)' } }) },
      {
        endpoint: '/breaker',
        input_headers: ['X-Fail'],
        backend: be({
          'qos/circuit-breaker': { interval: 60, timeout: 60, max_errors: 1 },
          'modifier/lua-backend': { pre: 'local r = request.load(); if r:headers("X-Fail") == "1" then error("boom") end' },
        }),
      },
      { endpoint: '/loop', backend: be({ 'modifier/lua-backend': { pre: 'while true do end' } }) },
      { endpoint: '/escape', backend: be({ 'modifier/lua-backend': { pre: `local r = request.load(); r:url("${evil.origin}/stolen")` } }) },
      {
        endpoint: '/call',
        backend: be({
          'modifier/lua-backend': {
            pre: `local r = request.load()
local ok = pcall(function() return http_response.new("http://169.254.169.254/latest") end)
local res = http_response.new("${echo.origin}/side")
r:headers("X-A", tostring(res:statusCode()) .. (ok and "-open" or "-closed"))`,
          },
        }),
      },
      {
        endpoint: '/post',
        backend: be({ 'modifier/lua-backend': { post: 'local d = response.load():data(); d:set("seen", d:get("url")); d:del("body")' } }),
      },
      {
        endpoint: '/post-raw',
        backend: be(
          { 'modifier/lua-backend': { post: 'local r = response.load(); r:statusCode(202); r:headers("X-Lua", "yes"); r:body(r:body() .. "!")' } },
          { url_pattern: '/raw', encoding: 'no-op' },
        ),
      },
      {
        endpoint: '/skip',
        backend: be({ 'modifier/lua-backend': { skip_next: true, post: 'response.load():data():set("skipped", true)' } }),
      },
      {
        endpoint: '/legacy',
        backend: be({ 'github.com/devopsfaith/krakend-lua/proxy/backend': { pre: 'local r = request.load(); r:headers("X-A", "legacy")' } }),
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await echo?.close();
  await evil?.close();
});

test('pre changes the full URL, a header, the query and the body of the upstream request', async () => {
  const r = await http(gw.port, 'POST', '/pre/7', { 'content-type': 'text/plain' }, 'hello');
  assert.equal(r.status, 200, r.body);
  const b = JSON.parse(r.body);
  assert.equal(b.method, 'POST');
  assert.equal(b.url, '/u/7?q=1&z=POST');
  assert.equal(b.xa, 'from-lua');
  assert.equal(b.body, 'hello+lua');
});

test('custom_error answers with the script status and body; the backend is not called', async () => {
  const before = echo.seen.length;
  const r = await http(gw.port, 'GET', '/teapot');
  assert.equal(r.status, 418);
  assert.equal(r.body, 'no coffee');
  assert.equal(echo.seen.length, before);
});

test('a failing pre is a 500 counted by the circuit breaker', async () => {
  const ok = await http(gw.port, 'GET', '/breaker');
  assert.equal(ok.status, 200);
  const r = await http(gw.port, 'GET', '/breaker', { 'X-Fail': '1' });
  assert.equal(r.status, 500);
  assert.doesNotMatch(r.body, /boom/);
  await http(gw.port, 'GET', '/breaker', { 'X-Fail': '1' });
  const before = echo.seen.length;
  const open = await http(gw.port, 'GET', '/breaker');
  assert.equal(open.status, 503, 'breaker open after the script failures');
  assert.equal(echo.seen.length, before);
});

test('an endless loop answers 500 within the budget and the gateway keeps serving', async () => {
  const t0 = Date.now();
  const r = await http(gw.port, 'GET', '/loop');
  assert.equal(r.status, 500);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  const next = await http(gw.port, 'GET', '/post');
  assert.equal(next.status, 200);
});

test('a script cannot point the backend URL at an undeclared host', async () => {
  const r = await http(gw.port, 'GET', '/escape');
  assert.equal(r.status, 500);
  assert.equal(evil.seen.length, 0);
});

test('http_response reaches declared backend hosts only', async () => {
  const r = await http(gw.port, 'GET', '/call');
  assert.equal(r.status, 200, r.body);
  assert.equal(JSON.parse(r.body).xa, '200-closed');
  assert.ok(echo.seen.some((s) => s.url === '/side'));
});

test('post changes the decoded data', async () => {
  const r = await http(gw.port, 'GET', '/post');
  assert.equal(r.status, 200);
  const b = JSON.parse(r.body);
  assert.equal(b.seen, '/u');
  assert.equal('body' in b, false);
});

test('post on a no-op answer changes status, headers and body', async () => {
  const r = await http(gw.port, 'GET', '/post-raw');
  assert.equal(r.status, 202);
  assert.equal(r.headers['x-lua'], 'yes');
  assert.equal(r.body, 'raw body!');
});

test('skip_next: the backend is not called and post gets an empty response', async () => {
  const before = echo.seen.length;
  const r = await http(gw.port, 'GET', '/skip');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { skipped: true });
  assert.equal(echo.seen.length, before);
});

test('the legacy namespace name works', async () => {
  const r = await http(gw.port, 'GET', '/legacy');
  assert.equal(JSON.parse(r.body).xa, 'legacy');
});

test('a source whose md5 does not match stops startup with its pointer', async () => {
  const f = luaFiles({ 'x.lua': 'x = 1\n' });
  const wrong = createHash('md5').update('something else').digest('hex');
  await assert.rejects(
    startGateway({
      version: 3,
      endpoints: [
        {
          endpoint: '/x',
          backend: [
            {
              host: [echo.origin],
              url_pattern: '/u',
              extra_config: { 'modifier/lua-backend': { sources: [f['x.lua']], md5: { [f['x.lua']]: wrong }, pre: 'x = 2' } },
            },
          ],
        },
      ],
    }),
    (err: Error) =>
      /\/endpoints\/0\/backend\/0\/extra_config\/modifier~1lua-backend\/md5\/[^:]*: .*does not match/.test(err.message) && !/\n\s+at /.test(err.message),
  );
});

test('a syntax error in pre stops startup with its pointer', async () => {
  await assert.rejects(
    startGateway({
      version: 3,
      endpoints: [{ endpoint: '/x', backend: [{ host: [echo.origin], url_pattern: '/u', extra_config: { 'modifier/lua-backend': { pre: 'if then' } } }] }],
    }),
    (err: Error) => /modifier~1lua-backend\/pre: Lua syntax error/.test(err.message),
  );
});
