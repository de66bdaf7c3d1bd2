// The engine's fast paths (issue 17 item 5) keep the results exact: only fields a script may
// have changed leave the call, the response data is patched at the top level when only its root
// changed, and everything else is the host's own copy, unchanged.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, compile, req, resp } from './lua/helpers.js';

after(closeAll);

const data = () => ({ a: 1, owner: { id: 42, login: 'x' }, list: [1, 2], gone: 'y' });

async function post(code: string) {
  const c = await compile({ post: code }, { scope: 'proxy' });
  const r = await c.runPost(resp({ data: data(), headers: { 'content-type': ['application/json'] }, status: 201 }));
  assert.ok(r.ok, JSON.stringify(r));
  return r.model;
}

describe('dirty fields and data patches', () => {
  it('an untouched request comes back equal, headers canonical', async () => {
    const c = await compile({ pre: 'local r = request.load(); local _ = r:method() .. r:headers("x-a")' });
    const r = await c.runPre(req({ headers: { 'x-a': ['1'], Accept: ['*/*'] }, query: { q: ['1'] }, params: { Id: '7' }, body: 'b' }));
    assert.ok(r.ok);
    assert.deepEqual(r.model, {
      method: 'GET',
      url: '',
      path: '/',
      query: { q: ['1'] },
      headers: { 'X-A': ['1'], Accept: ['*/*'] },
      body: 'b',
      params: { Id: '7' },
    });
  });

  it('top-level set and del on the data root patch the host copy', async () => {
    const m = await post('local d = response.load():data(); d:set("lua", true); d:set("a", luaTable.new()); d:del("gone"); d:set("n", nil)');
    assert.deepEqual(m.data, { a: {}, owner: { id: 42, login: 'x' }, list: [1, 2], lua: true, n: null });
    assert.equal(m.status, 201);
    assert.deepEqual(m.headers, { 'Content-Type': ['application/json'] });
  });

  it('a change inside a nested table is seen (the data is read whole)', async () => {
    const m = await post('local d = response.load():data(); d:get("owner"):set("login", "y"); d:get("list"):set(2, 3)');
    assert.deepEqual(m.data, { a: 1, owner: { id: 42, login: 'y' }, list: [1, 2, 3], gone: 'y' });
  });

  it('a nested table stored at the root and then changed through the new place is seen', async () => {
    const m = await post('local d = response.load():data(); d:set("copy", d:get("owner")); d:get("copy"):del("id")');
    assert.deepEqual(m.data, { a: 1, owner: { login: 'x' }, list: [1, 2], gone: 'y', copy: { login: 'x' } });
  });

  it('status, headers and isComplete set in post leave; the data stays the host copy', async () => {
    const m = await post('local r = response.load(); r:statusCode(202); r:headers("X-B", "2"); r:isComplete(false)');
    assert.deepEqual(m, { status: 202, headers: { 'Content-Type': ['application/json'], 'X-B': ['2'] }, body: '', data: data(), isComplete: false });
  });
});

describe('lazy models: fields copied in only when read', () => {
  it('headers only set leave as a patch over the request headers; reads after the sets see them', async () => {
    const c = await compile({
      pre: `local r = request.load()
        r:headers("x-new", "1"); r:headers("accept", nil)
        r:body(r:headers("X-New") .. "|" .. r:headers("Accept") .. "|" .. r:headers("x-a"))`,
    });
    const r = await c.runPre(req({ headers: { 'x-a': ['a'], Accept: ['*/*'] } }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.changes, { headerSet: { 'X-New': ['1'], Accept: null }, body: '1||a' });
    assert.deepEqual(r.model.headers, { 'X-A': ['a'], 'X-New': ['1'] });
  });

  it('a whole-map read after sets copies the headers in with the pending sets applied', async () => {
    const c = await compile({
      pre: `local r = request.load()
        r:headers("X-New", "1"); r:headers("Accept", nil)
        local h = r:headers()
        r:body(tostring(h:get("X-New") and h:get("X-New"):get(0)) .. "|" .. tostring(h:get("Accept")) .. "|" .. h:get("X-A"):get(0))`,
    });
    const r = await c.runPre(req({ headers: { 'x-a': ['a'], Accept: ['*/*'] } }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.changes.body, '1|nil|a');
    assert.equal(r.changes.headerSet, undefined);
    assert.deepEqual(r.changes.headers, { 'X-A': ['a'], 'X-New': ['1'] });
  });

  it('data keys set or deleted before the first read survive it; a read copies the rest in', async () => {
    const c = await compile({
      post: `local d = response.load():data()
        d:set("a", "set first"); d:del("gone")
        local r = response.load()
        r:headers("X-Seen", tostring(d:get("a")) .. "," .. tostring(d:get("gone")) .. "," .. tostring(d:get("owner"):get("id")) .. "," .. d:len())`,
    });
    const r = await c.runPost(resp({ data: data() }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.model.data, { a: 'set first', owner: { id: 42, login: 'x' }, list: [1, 2] });
    assert.deepEqual(r.model.headers, { 'X-Seen': ['set first,nil,42,3'] });
  });

  it('a data root only written leaves as the keys set and deleted; the response data is not copied', async () => {
    const c = await compile({ post: 'local d = response.load():data(); d:set("lua", true); d:del("gone")' });
    const before = data();
    const r = await c.runPost(resp({ data: before }));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.changes, { dataSet: { lua: true }, dataDel: ['gone'] });
    assert.deepEqual(r.model.data, { a: 1, owner: { id: 42, login: 'x' }, list: [1, 2], lua: true });
    assert.deepEqual(before, data(), 'the data given is not changed in place');
  });

  it('a model field is read from the host once per call, only when asked', async () => {
    let reads = 0;
    const model = req({ body: 'b' });
    const counted = Object.defineProperty({ ...model }, 'headers', {
      get: () => {
        reads++;
        return { 'x-a': ['a'] };
      },
    });
    const c = await compile({ pre: 'local r = request.load(); r:headers("X-Set", "1")' });
    const a = await c.runPre(counted);
    assert.ok(a.ok);
    assert.equal(reads, 0, 'a script that only sets headers never reads them');
    const c2 = await compile({ pre: 'local r = request.load(); local h = r:headers(); r:body(h:get("X-A"):get(0) .. r:headers("x-a"))' });
    const b = await c2.runPre(counted);
    assert.ok(b.ok && b.changes.body === 'aa', JSON.stringify(b));
    assert.equal(reads, 1);
  });
});

describe('calls that change nothing', () => {
  it('hand back no changes and the data object given; a call after errors starts clean', async () => {
    const c = await compile(
      {
        pre: 'local r = request.load(); if r:method() == "PUT" then r:headers("X-Set", "1"); error("boom") end',
        post: 'local _ = response.load():data():get("a")',
      },
      { scope: 'proxy' },
    );
    const failed = await c.runPre(req({ method: 'PUT' }));
    assert.ok(!failed.ok && failed.kind === 'failure' && /boom/.test(failed.message), JSON.stringify(failed));
    const r = await c.runPre(req({ headers: { 'x-a': ['1'] } }));
    assert.ok(r.ok, JSON.stringify(r));
    // The failed call's header set does not leak into the next call's changes.
    assert.deepEqual(r.changes, {});
    assert.deepEqual(r.model.headers, { 'X-A': ['1'] });
    // A data wrapper handed out is a possible change (an empty patch): the data given comes back.
    const sent = data();
    const p = await c.runPost(resp({ data: sent }));
    assert.ok(p.ok, JSON.stringify(p));
    assert.equal(p.model.data, sent);
    const s = await compile({ post: 'local _ = response.load():statusCode()' }, { scope: 'proxy' });
    const q = await s.runPost(resp({ data: sent, status: 201 }));
    assert.ok(q.ok, JSON.stringify(q));
    assert.deepEqual(q.changes, {});
    assert.equal(q.model.data, sent);
    assert.equal(q.model.status, 201);
  });
});
