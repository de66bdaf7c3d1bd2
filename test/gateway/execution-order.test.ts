// The order in which the modifier and data-protection stages run (issue #17 item 4, README
// "Modifiers"), proved by effects a wrong order would change, over real sockets:
// - endpoint: JWT checks right after the token is verified (before lua-endpoint and the router
//   rate limit), lua-proxy `pre` before CEL's request checks, CEL's response checks before
//   lua-proxy `post`;
// - backend: the proxy rate limit before Lua (a refused call never runs the script), Lua `pre`
//   before the CEL backend check and before martian, CEL's response check before Lua `post`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { makeKey, mint, writeJwksFile, jwks } from '../auth/helpers/tokens.js';

let echo: TestBackend;
let counter: TestBackend;
let gw: RunningGateway;
let admin: string;
let user: string;

const hits = (path: string): number => counter.seen.filter((s) => s.url === path).length;

before(async () => {
  const key = await makeKey('k1');
  admin = await mint(key, { sub: 'a', roles: ['admin'] });
  user = await mint(key, { sub: 'u', roles: ['user'] });
  const validator = { alg: 'RS256', jwk_local_path: writeJwksFile(jwks(key)) };
  counter = await startBackend();
  echo = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ lua: req.headers['x-lua'] ?? null, copied: req.headers['x-copied'] ?? null, p: req.headers['x-p'] ?? null }));
  });
  const count = (path: string) => `http_response.new("${counter.origin}${path}")`;
  gw = await startGateway({
    version: 3,
    timeout: '3s',
    endpoints: [
      // Declares the counter's host, so Lua's http_response may call it.
      { endpoint: '/counter', backend: [{ host: [counter.origin], url_pattern: '/' }] },
      {
        endpoint: '/backend-order',
        backend: [
          {
            host: [echo.origin],
            url_pattern: '/b',
            extra_config: {
              'modifier/lua-backend': {
                pre: 'local r = request.load(); r:headers("X-Lua", "1")',
                post: 'local d = response.load():data(); d:set("bpost", true)',
              },
              // Fails (so the backend is skipped) unless Lua's header is already there; its
              // response check fails if Lua's `post` already ran.
              'validation/cel': [{ check_expr: "'X-Lua' in req_headers && req_headers['X-Lua'][0] == '1'" }, { check_expr: "!('bpost' in resp_data)" }],
              'modifier/martian': { 'header.Copy': { scope: ['request'], from: 'X-Lua', to: 'X-Copied' } },
            },
          },
        ],
      },
      {
        endpoint: '/limited',
        backend: [
          {
            host: [echo.origin],
            url_pattern: '/l',
            extra_config: {
              'qos/ratelimit/proxy': { max_rate: 1, capacity: 1, every: '1h' },
              'modifier/lua-backend': { pre: `${count('/lua-backend')}` },
            },
          },
        ],
      },
      {
        endpoint: '/proxy-order',
        extra_config: {
          'modifier/lua-proxy': {
            pre: 'local r = request.load(); r:headers("X-P", "lua")',
            post: 'local d = response.load():data(); d:set("post", "lua")',
          },
          'validation/cel': [{ check_expr: "'X-P' in req_headers && req_headers['X-P'][0] == 'lua'" }, { check_expr: "!('post' in resp_data)" }],
        },
        backend: [{ host: [echo.origin], url_pattern: '/p' }],
      },
      {
        endpoint: '/jwt-order',
        extra_config: {
          'auth/validator': validator,
          'validation/cel': [{ check_expr: "'admin' in JWT.roles" }],
          'modifier/lua-endpoint': { pre: `${count('/lua-endpoint')}` },
          'qos/ratelimit/router': { max_rate: 1, capacity: 1, every: '1h' },
        },
        backend: [{ host: [echo.origin], url_pattern: '/j' }],
      },
      {
        endpoint: '/jwt-policy-order',
        extra_config: {
          'auth/validator': validator,
          'security/policies': { jwt: { policies: ["'admin' in JWT.roles"] } },
          'qos/ratelimit/router': { max_rate: 1, capacity: 1, every: '1h' },
        },
        backend: [{ host: [echo.origin], url_pattern: '/j' }],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await echo?.close();
  await counter?.close();
});

test('backend: Lua pre runs before the CEL backend check and before martian; CEL response checks before Lua post', async () => {
  const r = await http(gw.port, 'GET', '/backend-order');
  assert.equal(r.status, 200, r.body);
  // martian copied the header Lua set; CEL saw it (else the backend would be skipped).
  assert.deepEqual(JSON.parse(r.body), { lua: '1', copied: '1', p: null, bpost: true });
});

test('backend: the proxy rate limit refuses before Lua runs (the script runs once for three calls)', async () => {
  const before = hits('/lua-backend');
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await http(gw.port, 'GET', '/limited')).status);
  assert.deepEqual(statuses, [200, 503, 503]);
  assert.equal(hits('/lua-backend') - before, 1);
});

test('endpoint: lua-proxy pre runs before the CEL request checks, CEL response checks before lua-proxy post', async () => {
  const r = await http(gw.port, 'GET', '/proxy-order');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { lua: null, copied: null, p: 'lua', post: 'lua' });
});

test('endpoint: a CEL JWT check answers 401 before lua-endpoint and the router rate limit run', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await http(gw.port, 'GET', '/jwt-order', { authorization: `Bearer ${user}` });
    assert.equal(r.status, 401);
    assert.equal(r.body, '');
    assert.equal(r.headers['www-authenticate'], 'Bearer');
  }
  assert.equal(hits('/lua-endpoint'), 0);
  // The refused requests used none of the limit's one token.
  assert.equal((await http(gw.port, 'GET', '/jwt-order', { authorization: `Bearer ${admin}` })).status, 200);
  assert.equal(hits('/lua-endpoint'), 1);
  assert.equal((await http(gw.port, 'GET', '/jwt-order', { authorization: `Bearer ${admin}` })).status, 429);
});

test('endpoint: a jwt policy answers 401 before the router rate limit', async () => {
  for (let i = 0; i < 2; i++) assert.equal((await http(gw.port, 'GET', '/jwt-policy-order', { authorization: `Bearer ${user}` })).status, 401);
  assert.equal((await http(gw.port, 'GET', '/jwt-policy-order', { authorization: `Bearer ${admin}` })).status, 200);
  assert.equal((await http(gw.port, 'GET', '/jwt-policy-order', { authorization: `Bearer ${admin}` })).status, 429);
});
