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
