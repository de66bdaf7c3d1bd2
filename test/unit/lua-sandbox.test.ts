import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LuaFactory } from 'wasmoon';
import { closeAll, compile, probe, req, resp } from './lua/helpers.js';

after(closeAll);

describe('Lua sandbox: no way out', () => {
  it('has no io, os, debug, require, dofile, loadfile, package, collectgarbage, coroutine, string.dump', async () => {
    const names = ['io', 'os', 'debug', 'require', 'dofile', 'loadfile', 'package', 'collectgarbage', 'coroutine', 'warn'];
    const out = await probe(`local t = {} for _, n in ipairs({${names.map((n) => `"${n}"`).join(',')}}) do t[#t+1] = n .. "=" .. type(_G[n]) end
      t[#t+1] = "dump=" .. type(string.dump) t[#t+1] = "sdump=" .. type(("").dump) out(table.concat(t, ","))`);
    assert.equal(out, names.map((n) => `${n}=nil`).join(',') + ',dump=nil,sdump=nil');
  });

  it('calling io.open / os.execute / require / dofile / loadfile fails as a runtime error (500)', async () => {
    for (const code of ['io.open("/etc/passwd")', 'os.execute("id")', 'require("os")', 'dofile("/etc/passwd")', 'loadfile("/etc/passwd")']) {
      const c = await compile({ pre: code });
      const r = await c.runPre(req());
      assert.equal(r.ok, false, code);
      assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'runtime' && r.status === 500, code);
    }
  });

  it('load is text-only: real bytecode (dumped by an unsandboxed Lua) is refused whatever the mode or the reader', async () => {
    // Control: a plain wasmoon engine dumps a function and loads it back (bytecode works there).
    const raw = await new LuaFactory().createEngine();
    const hex = raw.doStringSync(
      'local b = string.dump(function() return 42 end) assert(load(b)() == 42) return (b:gsub(".", function(c) return string.format("%02x", c:byte()) end))',
    ) as string;
    raw.global.close();
    assert.match(hex, /^1b4c7561/);
    const out = await probe(`local bin = ("${hex}"):gsub("..", function(h) return string.char(tonumber(h, 16)) end)
      local f1, e1 = load(bin)
      local f2, e2 = load(bin, "x", "b")
      local sent = false
      local f3, e3 = load(function() if sent then return nil end sent = true return bin end, "x", "bt")
      local f4, e4 = loadstring(bin)
      out(table.concat({ tostring(f1), tostring(f2), tostring(f3), tostring(f4), e1, e2, e3, e4 }, "|"))`);
    const parts = out.split('|');
    assert.deepEqual(parts.slice(0, 4), ['nil', 'nil', 'nil', 'nil']);
    for (const e of parts.slice(4)) assert.match(e, /binary chunk/);
  });

  it('load of text works and writes only into the call environment', async () => {
    const c = await compile({ pre: 'local r = request.load(); r:body(tostring(leaked)); load("leaked = 1")(); assert(leaked == 1)' });
    assert.equal(((await c.runPre(req())) as { model: { body: string } }).model.body, 'nil');
    assert.equal(((await c.runPre(req())) as { model: { body: string } }).model.body, 'nil', 'a global survived into the next call');
  });

  it('getmetatable tricks reach nothing: strings, _G, API objects are protected', async () => {
    const out = await probe(`local r = {}
      r[#r+1] = tostring(getmetatable(""))
      r[#r+1] = tostring(getmetatable(_G))
      r[#r+1] = tostring(getmetatable(request.load()))
      r[#r+1] = tostring(getmetatable(luaTable.new()))
      r[#r+1] = tostring(getmetatable(luaList.new()))
      r[#r+1] = tostring(getmetatable(string))
      r[#r+1] = tostring(pcall(setmetatable, request.load(), {}))
      r[#r+1] = tostring(pcall(function() string.sub = nil end))
      out(table.concat(r, ","))`);
    assert.equal(out, 'false,false,false,false,false,false,false,false');
  });

  it('library writes do not survive the call (rawset on a library table)', async () => {
    const c = await compile({ pre: 'local r = request.load(); r:body(tostring(string.sub == nil)); rawset(string, "sub", nil); rawset(table, "concat", nil)' });
    const a = await c.runPre(req());
    const b = await c.runPre(req());
    assert.ok(a.ok && b.ok);
    assert.equal(a.ok && a.model.body, 'false');
    assert.equal(b.ok && b.model.body, 'false');
    assert.equal(await probe('out(("abc"):sub(2))'), 'bc');
  });

  it('nothing a script stores in an object shared by calls reaches the next call (load() object, pairs() of a library, luaNil)', async () => {
    // One VM, so both calls run on the same Lua state.
    const c = await compile(
      {
        pre: `local r = request.load()
          local _, lib = pairs(string)
          local n = luaNil.new()
          local seen = tostring(rawget(r, "stash")) .. "," .. tostring(type(lib) == "table" and rawget(lib, "stash")) .. "," .. tostring(rawget(n, "stash"))
          rawset(r, "stash", "from the first call")
          if type(lib) == "table" then rawset(lib, "stash", "from the first call") end
          rawset(n, "stash", "from the first call")
          r:body(seen)`,
      },
      { poolSize: 1 },
    );
    const a = await c.runPre(req());
    const b = await c.runPre(req());
    assert.ok(a.ok && b.ok, JSON.stringify([a, b]));
    assert.equal(a.model.body, 'nil,false,nil');
    assert.equal(b.model.body, 'nil,false,nil');
  });

  it('no JS object reaches Lua: "__proto__" data stays data, Object.prototype is untouched', async () => {
    const c = await compile(
      {
        post: `local d = response.load():data()
      d:set("__proto__", { polluted = "yes" })
      local p = d:get("constructor")
      d:set("sawConstructor", tostring(p))`,
      },
      { scope: 'proxy' },
    );
    const r = await c.runPost(resp({ data: JSON.parse('{"__proto__":{"x":1}}') }));
    assert.ok(r.ok);
    const probeObj: Record<string, unknown> = {};
    assert.equal(probeObj.polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.ok(r.ok && Object.prototype.hasOwnProperty.call(r.model.data, '__proto__'));
    assert.equal(Object.getPrototypeOf(r.ok && r.model.data), Object.prototype);
    assert.equal(r.ok && r.model.data.sawConstructor, 'nil');
  });
});

describe('Lua sandbox: budgets', () => {
  it('while true do end ends quickly as a timeout, and the next call works', async () => {
    const c = await compile({ pre: 'if request.load():path() == "/loop" then while true do end end; request.load():body("fine")' });
    const t0 = Date.now();
    const r = await c.runPre(req({ path: '/loop' }));
    const ms = Date.now() - t0;
    assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'timeout', JSON.stringify(r));
    assert.ok(ms < 1500, `took ${ms} ms`);
    const next = await c.runPre(req());
    assert.ok(next.ok && next.model.body === 'fine');
  });

  it('a pcall cannot swallow the budget error', async () => {
    const c = await compile({ pre: 'while true do pcall(function() while true do end end) end' });
    const r = await c.runPre(req());
    assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'timeout', JSON.stringify(r));
  });

  it('the instruction budget stops a loop before the time budget', async () => {
    const c = await compile({ pre: 'local i = 0 while true do i = i + 1 end' }, { budget: { timeMs: 10_000, instructions: 100_000 } });
    const t0 = Date.now();
    const r = await c.runPre(req());
    assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'timeout');
    assert.ok(Date.now() - t0 < 2000);
  });

  it('memory bombs fail on the cap, and the next call works', async () => {
    const c = await compile(
      {
        pre: `local m = request.load():path()
      if m == "/rep" then local s = string.rep("x", 2^30) end
      if m == "/double" then local s = "x" while true do s = s .. s end end
      if m == "/table" then local t = {} for i = 1, 1e9 do t[i] = {i} end end
      request.load():body("fine")`,
      },
      { budget: { timeMs: 2000, memoryBytes: 8 * 1024 * 1024 } },
    );
    for (const path of ['/rep', '/double', '/table']) {
      const t0 = Date.now();
      const r = await c.runPre(req({ path }));
      assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'memory', `${path}: ${JSON.stringify(r)}`);
      assert.ok(Date.now() - t0 < 2500, path);
      const next = await c.runPre(req());
      assert.ok(next.ok && next.model.body === 'fine', path);
    }
  });

  it('a backtracking pattern bomb is refused instead of hanging in C', async () => {
    const c = await compile({ pre: 'local s = string.rep("a", 5000); local x = s:find(string.rep("a*", 20) .. "b")' });
    const t0 = Date.now();
    const r = await c.runPre(req());
    assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'runtime' && /pattern too complex/.test(r.message), JSON.stringify(r));
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(await probe('out(("Bearer abc.def.ghi"):match("^Bearer (.-)%.(.-)%."))'), 'abc');
    const two = await compile({ pre: 'local s = string.rep("a", 2000); local x = s:find("a*a*b")' });
    const r2 = await two.runPre(req());
    assert.ok(!r2.ok && r2.kind === 'failure' && /pattern too complex/.test(r2.message), 'a*a*b on 2 KB runs for a minute in C');
    // A last quantifier cannot backtrack: whitespace clean-up of a 50 KB body is allowed.
    assert.equal(await probe('local s = string.rep("a b ", 12500); out(#(s:gsub("%s+", "")))'), '25000');
  });

  it('endless recursion is a runtime error, not a crash', async () => {
    const c = await compile({ pre: 'local function f() return 1 + f() end f()' });
    const r = await c.runPre(req());
    assert.ok(!r.ok && r.kind === 'failure');
  });

  it('deep C-level recursion (pcall, gsub callbacks, __index, __tostring, nested parsing) fails cleanly, the VM keeps serving', async () => {
    const scripts = [
      'local function f(n) if n == 0 then return end pcall(f, n - 1) end f(100000)',
      'local function f(n) if n == 0 then return "" end return (string.gsub("a", "a", function() return f(n - 1) end)) end f(100000)',
      'local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}); local x = t[1]',
      'local function f(n) return tostring(setmetatable({}, {__tostring = function() return f(n + 1) end})) end f(1)',
      'assert(load("return " .. string.rep("{", 100000)) == nil)',
    ];
    const c = await compile({ pre: `local code = request.load():body(); if code ~= "" then load(code)() end; request.load():body("alive")` }, { poolSize: 1 });
    for (const code of scripts) {
      await c.runPre(req({ body: code }));
      const next = await c.runPre(req());
      assert.ok(next.ok && next.model.body === 'alive', code);
    }
  });

  it('shared sub-tables that would expand exponentially on the way out fail inside the budget, not in the host heap', async () => {
    const c = await compile(
      {
        post: `local d = response.load():data()
      local cur = luaTable.new() cur:set("leaf", "x")
      for i = 1, 40 do local n = luaTable.new() n:set("a", cur) n:set("b", cur) cur = n end
      d:set("bomb", cur)`,
      },
      { scope: 'proxy', budget: { timeMs: 300 } },
    );
    const t0 = Date.now();
    const r = await c.runPost(resp());
    assert.ok(!r.ok && r.kind === 'failure' && (r.reason === 'timeout' || r.reason === 'memory'), JSON.stringify(r).slice(0, 200));
    assert.ok(Date.now() - t0 < 3000);
  });

  it('__gc finalizers are refused (they would run outside any call budget, e.g. when a VM that hit its budget is closed)', async () => {
    const c = await compile(
      { pre: 'setmetatable({}, { __gc = function() while true do end end }); if request.load():body() == "loop" then while true do end end' },
      { poolSize: 1, budget: { timeMs: 50 } },
    );
    const t0 = Date.now();
    const a = await c.runPre(req());
    assert.ok(!a.ok && a.kind === 'failure' && a.reason === 'runtime' && /__gc/.test(a.message), JSON.stringify(a));
    // A metatable without __gc is fine, and a budget trip (the VM is closed and replaced) ends quickly.
    const b = await compile({ pre: 'setmetatable({}, { __index = {} }); while true do end' }, { poolSize: 1, budget: { timeMs: 50 } });
    const r = await b.runPre(req());
    assert.ok(!r.ok && r.kind === 'failure' && r.reason === 'timeout', JSON.stringify(r));
    assert.ok(Date.now() - t0 < 2000);
  });

  it('a VM stuck in a loop does not stop other calls of the same script set (pool)', async () => {
    const c = await compile({ pre: 'if request.load():path() == "/loop" then while true do end end; request.load():body("ok")' }, { poolSize: 2 });
    const results = await Promise.all([c.runPre(req({ path: '/loop' })), c.runPre(req()), c.runPre(req()), c.runPre(req({ path: '/loop' })), c.runPre(req())]);
    assert.deepEqual(
      results.map((r) => (r.ok ? r.model.body : r.kind === 'failure' ? r.reason : 'x')),
      ['timeout', 'ok', 'ok', 'timeout', 'ok'],
    );
  });
});
