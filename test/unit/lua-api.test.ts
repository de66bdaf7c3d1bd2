// KrakenD's Lua API over plain models: every request/response/ctx method, luaTable, luaList
// (0-based), luaNil, custom_error, the Lua -> data conversion rules and Lua 5.1 number printing.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, compile, probe, req, resp } from './lua/helpers.js';

after(closeAll);

async function pre(code: string, model = req()) {
  const c = await compile({ pre: code });
  const r = await c.runPre(model);
  assert.ok(r.ok, JSON.stringify(r));
  return r.model;
}
async function post(code: string, model = resp(), scope: 'proxy' | 'backend' = 'proxy') {
  const c = await compile({ post: code }, { scope });
  const r = await c.runPost(model);
  assert.ok(r.ok, JSON.stringify(r));
  return r.model;
}

describe('request', () => {
  it('method, path, url, body: getters and setters', async () => {
    const m = await pre(
      `local r = request.load()
      r:body(r:method() .. " " .. r:path() .. " " .. r:url())
      r:method("POST") r:path("/new") r:url("http://127.0.0.1:1/new")`,
      req({ method: 'GET', path: '/old', url: 'http://127.0.0.1:1/old' }),
    );
    assert.deepEqual([m.body, m.method, m.path, m.url], ['GET /old http://127.0.0.1:1/old', 'POST', '/new', 'http://127.0.0.1:1/new']);
  });

  it('query(): Go url.Values.Encode (sorted, escaped); query(s) parses', async () => {
    const m = await pre(`local r = request.load(); r:body(r:query()); r:query("x=1&y=a+b&y=%2F&z")`, req({ query: { b: ['2 3'], a: ['1', '/'] } }));
    assert.equal(m.body, 'a=1&a=%2F&b=2+3');
    assert.deepEqual(m.query, { x: ['1'], y: ['a b', '/'], z: [''] });
  });

  it('headers(k) canonicalises and gives the first value or ""; headers(k, v) sets; headers(k, nil) deletes', async () => {
    const m = await pre(
      `local r = request.load()
      r:body(r:headers("x-one") .. "|" .. r:headers("missing"))
      r:headers("x-new", "v") r:headers("X-Gone", nil)`,
      req({ headers: { 'X-One': ['a', 'b'], 'x-gone': ['1'] } }),
    );
    assert.equal(m.body, 'a|');
    assert.deepEqual(m.headers, { 'X-One': ['a', 'b'], 'X-New': ['v'] });
  });

  it('headers() is a luaTable of luaLists; headerList(k[, list])', async () => {
    const m = await pre(
      `local r = request.load()
      local h = r:headers()
      local l = h:get("X-One")
      r:body(h:len() .. ":" .. l:len() .. ":" .. l:get(0) .. ":" .. l:get(1) .. ":" .. r:headerList("x-one"):get(1))
      local nl = luaList.new() nl:set(0, "p") nl:set(1, "q")
      r:headerList("x-list", nl)`,
      req({ headers: { 'X-One': ['a', 'b'] } }),
    );
    assert.equal(m.body, '1:2:a:b:b');
    assert.deepEqual(m.headers['X-List'], ['p', 'q']);
  });

  it('params(), params(k) ("" when absent), params(k, v)', async () => {
    const m = await pre(
      `local r = request.load()
      r:body(r:params("Id") .. "|" .. r:params("Nope") .. "|" .. r:params():get("Id"))
      r:params("Extra", 7)`,
      req({ params: { Id: '9' } }),
    );
    assert.equal(m.body, '9||9');
    assert.deepEqual(m.params, { Id: '9', Extra: '7' });
  });
});

describe('response', () => {
  it('statusCode, isComplete, body: getters and setters', async () => {
    const m = await post(
      `local r = response.load()
      r:body(r:statusCode() .. tostring(r:isComplete()) .. r:body())
      r:statusCode(201) r:isComplete(false)`,
      resp({ status: 200, body: 'x', isComplete: true }),
    );
    assert.deepEqual([m.body, m.status, m.isComplete], ['200truex', 201, false]);
  });

  it('headers(k) getter does not canonicalise (KrakenD), the setter does', async () => {
    const m = await post(
      `local r = response.load()
      r:body("[" .. r:headers("content-type") .. "][" .. r:headers("Content-Type") .. "]")
      r:headers("x-set", "1") r:headers("Content-Type", nil)`,
      resp({ headers: { 'Content-Type': ['application/json'] } }),
    );
    assert.equal(m.body, '[][application/json]');
    assert.deepEqual(m.headers, { 'X-Set': ['1'] });
  });

  it('data() is a live luaTable: get/set/del/len/keys/keyExists; nested arrays are 0-based luaLists', async () => {
    const m = await post(
      `local d = response.load():data()
      local items = d:get("items")
      local first = items:get(0)
      local out = { d:len(), items:len(), first:get("id"), tostring(items:get(5)), tostring(d:keyExists("gone")), tostring(d:get("nothing")) }
      local ks = d:keys()
      for i = 0, ks:len() - 1 do out[#out + 1] = ks:get(i) end
      first:set("id", 10)
      items:set(2, "appended")
      items:del(1)
      d:del("gone")
      d:set("summary", table.concat(out, ","))`,
      resp({ data: { items: [{ id: 1 }, 'two'], gone: true, nothing: null } }),
    );
    assert.equal(m.data.summary, '3,2,1,nil,true,nil,gone,items,nothing');
    assert.deepEqual(m.data.items, [{ id: 10 }, 'appended']);
    assert.equal('gone' in m.data, false);
  });

  it('response is not available in pre; request is available in post when passed', async () => {
    const c = await compile({ pre: 'response.load()' });
    const r = await c.runPre(req());
    assert.ok(!r.ok && r.kind === 'failure' && /not available/.test(r.message));
    const p = await compile({ post: 'response.load():data():set("m", request.load():method())' }, { scope: 'proxy' });
    const out = await p.runPost(resp(), req({ method: 'PUT' }));
    assert.ok(out.ok && out.model.data.m === 'PUT');
  });
});

describe('ctx (lua-endpoint)', () => {
  it('method, url (path?query), host, query(k[, v]), params, headers, body; post is not run', async () => {
    const c = await compile(
      {
        pre: `local c = ctx.load()
      c:body(c:method() .. " " .. c:url() .. " " .. c:host() .. " " .. c:query("a") .. " " .. c:headers("x-h"))
      c:query("b", "2") c:host("h2") c:url("/p2?z=9")`,
        post: 'error("never runs")',
      },
      { scope: 'endpoint' },
    );
    assert.equal(c.hasPost, false);
    const r = await c.runPre(req({ method: 'GET', path: '/p', query: { a: ['1'] }, host: 'h1', headers: { 'X-H': ['v'] } }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.model.body, 'GET /p?a=1 h1 1 v');
    assert.deepEqual([r.model.path, r.model.query, r.model.host], ['/p2', { z: ['9'] }, 'h2']);
    const bad = await compile({ pre: 'ctx.load():query()' }, { scope: 'endpoint' });
    assert.equal((await bad.runPre(req())).ok, false);
  });
});

describe('luaTable, luaList, luaNil and conversion rules', () => {
  it('set of a native list at the top gives an object keyed "1".."n"; nested integer keys give sorted arrays', async () => {
    const m = await post(`local d = response.load():data()
      d:set("top", {"a", "b"})
      d:set("nested", { list = { [3] = "c", [1] = "a", [2] = "b" }, obj = { k = "v" } })
      local l = luaList.new() l:set(0, 1) l:set(1, luaNil.new())
      d:set("list", l)
      d:set("null", luaNil.new())
      local t = luaTable.new() t:set("x", 1)
      d:set("tbl", t)`);
    assert.deepEqual(m.data, { top: { 1: 'a', 2: 'b' }, nested: { list: ['a', 'b', 'c'], obj: { k: 'v' } }, list: [1, null], null: null, tbl: { x: 1 } });
  });

  it('luaList set past the end pads with null; index 0 is the first element', async () => {
    const m = await post(`local d = response.load():data()
      local l = luaList.new() l:set(0, "first") l:set(3, "fourth")
      d:set("l", l) d:set("n", l:len()) d:set("g", l:get(0))`);
    assert.deepEqual([m.data.l, m.data.n, m.data.g], [['first', null, null, 'fourth'], 4, 'first']);
  });

  it('a function cannot be stored; cycles cannot leave the script', async () => {
    const c = await compile({ post: 'response.load():data():set("f", function() end)' }, { scope: 'proxy' });
    assert.equal((await c.runPost(resp())).ok, false);
    const cyc = await compile({ post: 'local d = response.load():data(); local t = luaTable.new(); t:set("self", t); d:set("t", t)' }, { scope: 'proxy' });
    const r = await cyc.runPost(resp());
    assert.ok(!r.ok && r.kind === 'failure');
  });
});

describe('numbers print as in Lua 5.1 (gopher-lua)', () => {
  it('tostring of integral floats has no ".0"; JSON integers concatenate as integers', async () => {
    assert.equal(await probe('out(tostring(2^3) .. "," .. tostring(7/7) .. "," .. tostring(1.5) .. "," .. tostring(10/4))'), '8,1,1.5,2.5');
    const m = await post('local d = response.load():data(); d:set("s", "/id/" .. d:get("id")); d:set("f", 2^3)', resp({ data: { id: 42 } }));
    assert.deepEqual([m.data.s, m.data.f], ['/id/42', 8]);
    const r = await pre('local r = request.load(); r:url(2^3); r:params("p", 3/1)');
    assert.deepEqual([r.url, r.params.p], ['8', '3']);
  });

  it('5.1 shims: unpack, loadstring, table.getn, math.pow', async () => {
    assert.equal(await probe('out(select(2, unpack({1, 2})) + table.getn({1, 2, 3}) + math.pow(2, 2) + loadstring("return 1")())'), '10');
  });
});

describe('custom_error', () => {
  it('(msg, status, content_type) is a structured error; one argument is a 500; a non-numeric status is a 500', async () => {
    const cases: [string, unknown][] = [
      ['custom_error("teapot", 418, "text/teapot")', { ok: false, kind: 'custom_error', status: 418, body: 'teapot', contentType: 'text/teapot' }],
      ['custom_error("boom")', { ok: false, kind: 'custom_error', status: 500, body: 'boom' }],
      ['custom_error("nan", "abc")', { ok: false, kind: 'custom_error', status: 500, body: 'nan' }],
      ['custom_error("num", "404")', { ok: false, kind: 'custom_error', status: 404, body: 'num' }],
      ['custom_error("a || b", 401)', { ok: false, kind: 'custom_error', status: 401, body: 'a || b' }],
    ];
    for (const [code, want] of cases) {
      const c = await compile({ pre: code });
      assert.deepEqual(await c.runPre(req()), want, code);
    }
  });

  it('a plain Lua error is a failure (500) whose message stays internal', async () => {
    const c = await compile({ pre: 'error("secret detail")' });
    const r = await c.runPre(req());
    assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'runtime' && r.status === 500 && r.message.includes('secret detail'));
  });
});
