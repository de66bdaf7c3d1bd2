// The four KrakenD CE conformance specs that need Lua (lua_1, lua_2, sequential_3, sequential_4),
// reproduced on plain models with the same config blocks as the conformance krakend.json and
// the clean-room fixture scripts. The pipeline wiring (which model each phase gets) is asserted
// by the conformance runner once the adapter is in.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stringifyGo } from '../../src/encoding/json-go.js';
import { closeAll, compile, req, resp } from './lua/helpers.js';

after(closeAll);

const JWT =
  'bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWQiOjEsImlhdCI6MTUxNjIzOTAyMn0.X_M6O0tdAGnnqqYoV_Q4xQZeG58gth-PG7KSW96tsic';
const SOURCES = ['lua/json.lua', 'lua/base64.lua', 'lua/collection.lua'];

describe('Lua conformance behaviours', () => {
  it('lua_1: backend pre appends the JWT id to the URL; proxy post builds paths (object keyed "1".."10") and total', async () => {
    const backend = await compile({ sources: SOURCES, pre: 'pre_backend(request.load())', allow_open_libs: true }, { openLibs: 'safe-set' });
    const pre = await backend.runPre(req({ url: 'http://127.0.0.1:8081/collection/', path: '/collection/', headers: { authorization: [JWT] } }));
    assert.ok(pre.ok, JSON.stringify(pre));
    assert.equal(pre.model.url, 'http://127.0.0.1:8081/collection/1');

    const proxy = await compile(
      { sources: SOURCES, post: 'post_proxy(response.load())', live: true, allow_open_libs: true },
      { scope: 'proxy', openLibs: 'safe-set' },
    );
    const collection = Array.from({ length: 10 }, () => ({ path: '/collection/1' }));
    const post = await proxy.runPost(resp({ data: { collection } }));
    assert.ok(post.ok, JSON.stringify(post));
    assert.equal(
      stringifyGo(post.model.data),
      '{"paths":{"1":"/collection/1","10":"/collection/1","2":"/collection/1","3":"/collection/1","4":"/collection/1","5":"/collection/1","6":"/collection/1","7":"/collection/1","8":"/collection/1","9":"/collection/1"},"total":10}',
    );
    assert.equal(post.model.isComplete, true);
  });

  it('lua_2: custom_error(msg, 418) without open libraries answers 418 with the message as body', async () => {
    const c = await compile({ sources: ['lua/collection.lua'], pre: 'json_error()' });
    const r = await c.runPre(req({ url: 'http://127.0.0.1:8081/collection/' }));
    assert.deepEqual(r, { ok: false, kind: 'custom_error', status: 418, body: '{"msg":"I refuse to make any coffee, I am a teapot!"}' });
  });

  it('sequential_3: the propagated param is the string "42", appended to the URL as /param_forwarding/42', async () => {
    const c = await compile({ pre: 'local req = request.load(); local foo = req:params("Resp0_first.foo"); req:url(req:url() .. foo)' });
    const r = await c.runPre(req({ url: 'http://127.0.0.1:8081/param_forwarding/', path: '/param_forwarding/', params: { 'Resp0_first.foo': '42' } }));
    assert.ok(r.ok);
    assert.equal(new URL(r.model.url).pathname, '/param_forwarding/42');
  });

  it('sequential_4: base64 of the raw propagated Resp0 is appended to the URL', async () => {
    const c = await compile(
      {
        allow_open_libs: true,
        sources: ['lua/base64.lua'],
        pre: 'local req = request.load(); local m = req:params("Resp0"); req:url(req:url() .. to_base64(m))',
      },
      { openLibs: 'safe-set' },
    );
    const r = await c.runPre(req({ url: 'http://127.0.0.1:8081/param_forwarding/', params: { Resp0: '{"message":"pong"}' } }));
    assert.ok(r.ok);
    assert.equal(new URL(r.model.url).pathname, '/param_forwarding/eyJtZXNzYWdlIjoicG9uZyJ9');
  });
});
