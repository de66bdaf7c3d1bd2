// modifier/lua-proxy over real sockets: `pre` changes what every backend call starts from
// (headers, query, params, body) before the merge; `post` works on the merged data
// (data, isComplete, headers), custom_error and failures, skip_next, the legacy name.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let a: TestBackend;
let b: TestBackend;
let gw: RunningGateway;

before(async () => {
  const echo = (name: string) => (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: string) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ [name]: { url: req.url, xb: req.headers['x-b'] ?? null, body } }));
  };
  a = await startBackend(echo('a'));
  b = await startBackend(echo('b'));
  const two = [
    { host: [a.origin], url_pattern: '/a/{id}' },
    { host: [b.origin], url_pattern: '/b/{id}' },
  ];
  gw = await startGateway({
    version: 3,
    timeout: '2s',
    endpoints: [
      {
        endpoint: '/pre/{id}',
        method: 'POST',
        input_query_strings: ['keep'],
        backend: two,
        extra_config: {
          'modifier/lua-proxy': {
            pre: `local r = request.load()
r:headers("X-B", "set-by-lua")
r:params("Id", "99")
r:query("keep=" .. r:params("Id") .. "&added=1")
r:body(string.upper(r:body()))`,
          },
        },
      },
      {
        endpoint: '/post/{id}',
        cache_ttl: '60s',
        backend: two,
        extra_config: {
          'modifier/lua-proxy': {
            post: `local r = response.load()
local d = r:data()
d:set("both", d:get("a"):get("url") .. "+" .. d:get("b"):get("url"))
d:del("a")
r:isComplete(false)
r:headers("X-Lua", "post")`,
          },
        },
      },
      {
        endpoint: '/post-error',
        backend: two.slice(0, 1),
        extra_config: { 'modifier/lua-proxy': { post: 'custom_error("{\\"nope\\":true}", 409, "application/json")' } },
      },
      { endpoint: '/post-fail', backend: two.slice(0, 1), extra_config: { 'modifier/lua-proxy': { post: 'local x = nil; x.y = 1' } } },
      { endpoint: '/pre-error', backend: two.slice(0, 1), extra_config: { 'modifier/lua-proxy': { pre: 'custom_error("stop", 400)' } } },
      {
        endpoint: '/skip',
        backend: two.slice(0, 1),
        extra_config: { 'modifier/lua-proxy': { skip_next: true, post: 'response.load():data():set("empty", true)' } },
      },
      {
        endpoint: '/legacy/{id}',
        backend: two.slice(0, 1),
        extra_config: { 'github.com/devopsfaith/krakend-lua/proxy': { pre: 'request.load():headers("X-B", "legacy")' } },
      },
    ].map((e) => ({
      ...e,
      backend: e.backend.map((x) => ({ ...x, url_pattern: e.endpoint.includes('{id}') ? x.url_pattern : x.url_pattern.replace('/{id}', '') })),
    })),
  });
});

after(async () => {
  await gw?.stop();
  await a?.close();
  await b?.close();
});

test('pre changes headers, params, query and body for every backend, before the merge', async () => {
  const r = await http(gw.port, 'POST', '/pre/1?keep=x&drop=y', { 'content-type': 'text/plain' }, 'hello');
  assert.equal(r.status, 200, r.body);
  const d = JSON.parse(r.body);
  for (const k of ['a', 'b']) {
    assert.equal(d[k].url, `/${k}/99?added=1&keep=99`);
    assert.equal(d[k].xb, 'set-by-lua');
    assert.equal(d[k].body, 'HELLO');
  }
});

test('post changes the merged data, isComplete and headers', async () => {
  const r = await http(gw.port, 'GET', '/post/5');
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { b: { url: '/b/5', xb: null, body: '' }, both: '/a/5+/b/5' });
  assert.equal(r.headers['x-rampart-completed'], 'false');
  assert.equal(r.headers['x-lua'], 'post');
  assert.equal(r.headers['cache-control'], undefined, 'an answer made incomplete is not cacheable');
});

test('custom_error in post answers the script status, body and content type', async () => {
  const r = await http(gw.port, 'GET', '/post-error');
  assert.equal(r.status, 409);
  assert.equal(r.body, '{"nope":true}');
  assert.match(String(r.headers['content-type']), /application\/json/);
});

test('a failing post answers 500 without the script error text', async () => {
  const r = await http(gw.port, 'GET', '/post-fail');
  assert.equal(r.status, 500);
  assert.doesNotMatch(r.body, /nil|index|post-script/);
});

test('custom_error in pre answers without calling the backends', async () => {
  const before = a.seen.length;
  const r = await http(gw.port, 'GET', '/pre-error');
  assert.equal(r.status, 400);
  assert.equal(r.body, 'stop');
  assert.equal(a.seen.length, before);
});

test('skip_next: no backend call, post gets an empty response', async () => {
  const before = a.seen.length;
  const r = await http(gw.port, 'GET', '/skip');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { empty: true });
  assert.equal(a.seen.length, before);
});

test('the legacy namespace name works', async () => {
  const r = await http(gw.port, 'GET', '/legacy/3');
  assert.equal(JSON.parse(r.body).a.xb, 'legacy');
});
