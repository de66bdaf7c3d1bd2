// modifier/lua-endpoint over real sockets: a `ctx` guard in phase 'admit' (before the router rate
// limit), custom_error refusals, failures, header/query/param changes reaching the backend,
// service level, the legacy name, and `post` never running there.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let echo: TestBackend;
let gw: RunningGateway;

before(async () => {
  echo = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, xc: req.headers['x-c'] ?? null, xs: req.headers['x-service'] ?? null }));
  });
  const be = (url = '/e') => [{ host: [echo.origin], url_pattern: url }];
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    extra_config: { 'modifier/lua-endpoint': { pre: 'ctx.load():headers("X-Service", "svc")' } },
    endpoints: [
      {
        endpoint: '/guard',
        backend: be(),
        extra_config: {
          'modifier/lua-endpoint': { pre: 'local c = ctx.load(); if c:headers("X-Block") ~= "" then custom_error("blocked by lua", 403) end' },
          'qos/ratelimit/router': { max_rate: 1, every: '1h' },
        },
      },
      {
        endpoint: '/change/{id}',
        input_query_strings: ['k'],
        backend: be('/e/{id}'),
        extra_config: {
          'modifier/lua-endpoint': {
            pre: `local c = ctx.load()
c:headers("X-C", c:method() .. " " .. c:host():match("^[^:]+"))
c:query("k", "v")
c:params("Id", c:params("Id") .. "0")`,
            post: 'error("post never runs at endpoint level")',
          },
        },
      },
      { endpoint: '/fail', backend: be(), extra_config: { 'modifier/lua-endpoint': { pre: 'error("secret detail")' } } },
      { endpoint: '/legacy', backend: be(), extra_config: { 'github.com/devopsfaith/krakend-lua/router': { pre: 'ctx.load():headers("X-C", "legacy")' } } },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await echo?.close();
});

test('custom_error refuses before the router rate limit counts the request', async () => {
  const before = echo.seen.length;
  for (let i = 0; i < 3; i++) {
    const r = await http(gw.port, 'GET', '/guard', { 'X-Block': '1' });
    assert.equal(r.status, 403);
    assert.equal(r.body, 'blocked by lua');
  }
  assert.equal(echo.seen.length, before, 'refused requests never reach the backend');
  const ok = await http(gw.port, 'GET', '/guard');
  assert.equal(ok.status, 200, 'the refused requests did not use the rate limit');
  const limited = await http(gw.port, 'GET', '/guard');
  assert.equal(limited.status, 429, 'the router rate limit still applies');
});

test('ctx changes headers, query and params the backend gets; post does not run', async () => {
  const r = await http(gw.port, 'GET', '/change/4?k=client&other=1');
  assert.equal(r.status, 200, r.body);
  const b = JSON.parse(r.body);
  assert.equal(b.url, '/e/40?k=v');
  assert.equal(b.xc, 'GET 127.0.0.1');
});

test('a failing script answers 500 without its error text', async () => {
  const r = await http(gw.port, 'GET', '/fail');
  assert.equal(r.status, 500);
  assert.doesNotMatch(r.body, /secret/);
});

test('service level: the script runs for every endpoint', async () => {
  const r = await http(gw.port, 'GET', '/legacy');
  assert.equal(JSON.parse(r.body).xs, 'svc');
});

test('the legacy namespace name works', async () => {
  const r = await http(gw.port, 'GET', '/legacy');
  assert.equal(JSON.parse(r.body).xc, 'legacy');
});
