// The Lua engine's per-call isolation and bounds (issue #17): no globals shared between
// requests or between `pre` and `post`, one chunk per source, Lua 5.1 (gopher-lua) number text
// in `..` concatenation ("%.14g", no ".0"), and a bounded wait for a VM (503 `busy`, quickly).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeAll, compile, probe, req, resp } from './lua/helpers.js';
import { luaFiles } from '../helpers/lua-files.js';
import { withLua51NumberText } from '../../src/scripting/lua/lua-capi.js';

after(closeAll);

describe('no state shared between calls', () => {
  it('a global written by one request is gone in the next (same VM: pool of one)', async () => {
    const c = await compile({ pre: 'local r = request.load(); counter = (counter or 0) + 1; r:body(tostring(counter))' }, { poolSize: 1 });
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await c.runPre(req());
      assert.ok(r.ok);
      bodies.push(r.model.body);
    }
    assert.deepEqual(bodies, ['1', '1', '1']);
  });

  it('a global written in `pre` is not visible in `post`; a source table changed by one call is fresh in the next', async () => {
    const files = luaFiles({ 'lib.lua': 'lib = { n = 0 }\nfunction bump() lib.n = lib.n + 1; return lib.n end\n' });
    const c = await compile(
      {
        sources: [files['lib.lua']],
        pre: 'from_pre = "x"; local r = request.load(); r:body(tostring(bump()))',
        post: 'local d = response.load():data(); d:set("seen", tostring(from_pre)); d:set("n", bump())',
      },
      { poolSize: 1 },
    );
    for (let i = 0; i < 2; i++) {
      const p = await c.runPre(req());
      assert.ok(p.ok);
      assert.equal(p.model.body, '1');
      const q = await c.runPost(resp());
      assert.ok(q.ok);
      assert.deepEqual(q.model.data, { seen: 'nil', n: 1 });
    }
  });

  it('each source is its own chunk: a top-level local of one file is not visible in the next, its globals are', async () => {
    const files = luaFiles({ 'a.lua': 'local hidden = 1\nshared = 2\n', 'b.lua': 'seen = tostring(hidden) .. "," .. tostring(shared)\n' });
    const c = await compile({ sources: [files['a.lua'], files['b.lua']], pre: 'local r = request.load(); r:body(seen)' });
    const r = await c.runPre(req());
    assert.ok(r.ok);
    assert.equal(r.model.body, 'nil,2');
  });
});

describe('numbers in `..` print as Lua 5.1 / gopher-lua ("%.14g")', () => {
  it('integral floats have no ".0"; others keep 14 significant digits', async () => {
    const got = await probe(
      'out((2^3) .. "|" .. (10/2) .. "|" .. 1.5 .. "|" .. (-0.0) .. "|" .. 1e100 .. "|" .. (1/3) .. "|" .. 3 .. "|" .. string.format("%s", 2^4) .. "|" .. 2^63 .. "|" .. 0.1)',
    );
    assert.equal(got, '8|5|1.5|-0|1e+100|0.33333333333333|3|16|9.2233720368548e+18|0.1');
  });

  it("the module patch applies to Lua's module only, and only where the literal occurs once", () => {
    const other = Buffer.from('\0asm not lua -0123456789');
    assert.equal(withLua51NumberText(other), other);
    const twice = Buffer.from('lua_newstate\0-0123456789\0\0-0123456789\0');
    assert.throws(() => withLua51NumberText(twice), /exactly once/);
    const once = Buffer.from('lua_newstate\0-0123456789\0');
    assert.equal(Buffer.from(withLua51NumberText(once)).toString('latin1'), 'lua_newstate\0-----------\0');
    assert.equal(once.toString('latin1'), 'lua_newstate\0-0123456789\0', 'the original bytes are not changed');
  });
});

describe('the wait for a VM is bounded', () => {
  let slow: Server;
  let origin: string;
  before(async () => {
    slow = createServer((_req, res) => setTimeout(() => res.end('ok'), 600));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => slow.close(() => r())));

  it('over the queue bound a call is refused at once with 503 busy; a queued call is refused after maxWaitMs', async () => {
    const c = await compile(
      { pre: `local r = request.load(); r:body(http_response.new("${origin}/slow"):body())` },
      { poolSize: 1, maxWaiters: 2, maxWaitMs: 250, http: { allowedHosts: [origin], timeoutMs: 2000 } },
    );
    const t0 = Date.now();
    const timed = (p: ReturnType<typeof c.runPre>) => Promise.resolve(p).then((r) => ({ r, ms: Date.now() - t0 }));
    const calls = Array.from({ length: 5 }, () => timed(c.runPre(req())));
    const out = await Promise.all(calls);
    const first = out[0].r;
    assert.ok(first.ok, JSON.stringify(first));
    assert.equal(first.model.body, 'ok');
    for (const { r, ms } of out.slice(1, 3)) {
      assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'busy' && r.status === 503, JSON.stringify(r));
      assert.ok(ms >= 200 && ms < 550, `queued call refused after ${ms} ms`);
    }
    for (const { r, ms } of out.slice(3)) {
      assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'busy' && r.status === 503, JSON.stringify(r));
      assert.ok(ms < 150, `over-bound call refused after ${ms} ms`);
    }
    // The pool serves again once the VM is back.
    const again = await c.runPre(req());
    assert.ok(again.ok);
  });
});
