// Startup behaviour of compileLuaScripts: md5 (live never skips it), unreadable sources,
// syntax errors, allow_open_libs, and the namespace schemas. Every failure is a one-line message
// that starts with the JSON pointer of the field, with no stack trace.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fixturesDir } from '../conformance/paths.js';
import { LuaConfigError } from '../../src/scripting/lua/compile-lua-scripts.js';
import { LUA_LEGACY_NAMESPACES, LUA_NAMESPACES, luaSchemas } from '../../src/scripting/lua/schema.js';
import { closeAll, compile, req } from './lua/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-lua-'));
after(() => {
  closeAll();
  rmSync(dir, { recursive: true, force: true });
});
const P = '/extra_config/modifier~1lua-backend';

async function startupError(cfg: object, opts = {}): Promise<LuaConfigError> {
  try {
    await compile(cfg, opts);
  } catch (err) {
    assert.ok(err instanceof LuaConfigError, String(err));
    assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace in the message');
    return err;
  }
  assert.fail('expected a startup error');
}

describe('compileLuaScripts: md5', () => {
  const file = join(dir, 'lib.lua');
  writeFileSync(file, 'function hello() return "hi" end\n');
  const good = createHash('md5').update(readFileSync(file)).digest('hex');

  it('a matching md5 compiles and runs', async () => {
    const c = await compile({ sources: ['lib.lua'], md5: { 'lib.lua': good.toUpperCase() }, pre: 'request.load():body(hello())' }, { baseDir: dir });
    const r = await c.runPre(req());
    assert.ok(r.ok && r.model.body === 'hi');
  });

  it('a mismatch stops startup naming the file, with or without live', async () => {
    for (const live of [false, true]) {
      const err = await startupError({ sources: ['lib.lua'], md5: { 'lib.lua': '0'.repeat(32) }, live, pre: 'hello()' }, { baseDir: dir });
      assert.equal(err.pointer, `${P}/md5/lib.lua`);
      assert.match(err.message, /md5 of Lua source "lib\.lua" does not match/);
    }
  });

  it('an md5 entry for a file not in sources is refused', async () => {
    const err = await startupError({ sources: ['lib.lua'], md5: { 'other.lua': good } }, { baseDir: dir });
    assert.equal(err.pointer, `${P}/md5/other.lua`);
  });

  it('an unreadable source stops startup (KrakenD logs and skips it)', async () => {
    const err = await startupError({ sources: ['lib.lua', 'missing.lua'] }, { baseDir: dir });
    assert.equal(err.pointer, `${P}/sources/1`);
    assert.match(err.message, /cannot read Lua source "missing\.lua"/);
  });
});

describe('compileLuaScripts: syntax and libraries', () => {
  it("a syntax error in a source, pre or post stops startup with Lua's line", async () => {
    writeFileSync(join(dir, 'bad.lua'), 'local x = 1\nfunction (\n');
    const e1 = await startupError({ sources: ['bad.lua'] }, { baseDir: dir });
    assert.equal(e1.pointer, `${P}/sources/0`);
    assert.match(e1.message, /Lua syntax error: bad\.lua:2:/);
    const e2 = await startupError({ pre: 'if then' });
    assert.equal(e2.pointer, `${P}/pre`);
    assert.match(e2.message, /pre-script:1:/);
    const e3 = await startupError({ post: 'x = = 1' }, { scope: 'proxy' });
    assert.equal(e3.pointer, `${P}/post`);
  });

  it('allow_open_libs: true is refused by default, with its pointer', async () => {
    const err = await startupError({ allow_open_libs: true, pre: 'x = 1' });
    assert.equal(err.pointer, `${P}/allow_open_libs`);
    assert.match(err.message, /never gives scripts io, os, debug or package/);
  });

  it('openLibs "safe-set" maps it to the safe libraries plus os.time/clock/date only', async () => {
    const c = await compile(
      {
        allow_open_libs: true,
        pre: 'request.load():body(type(os.time()) .. type(os.date) .. type(os.execute) .. type(os.getenv) .. type(io) .. type(require))',
      },
      { openLibs: 'safe-set' },
    );
    const r = await c.runPre(req());
    assert.ok(r.ok && r.model.body === 'numberfunctionnilnilnilnil', JSON.stringify(r));
    const plain = await compile({ pre: 'request.load():body(type(os))' });
    const p = await plain.runPre(req());
    assert.ok(p.ok && p.model.body === 'nil');
  });

  it('flags the pipeline reads: skip_next, hasPre, hasPost', async () => {
    const c = await compile({ pre: 'x = 1', skip_next: true }, { scope: 'proxy' });
    assert.deepEqual([c.hasPre, c.hasPost, c.skipNext, c.scope], [true, false, true, 'proxy']);
  });
});

describe('Lua namespace schemas', () => {
  const Ajv = createRequire(import.meta.url)('ajv') as { default: new (o: object) => { compile(s: object): ((v: unknown) => boolean) & { errors?: unknown } } };
  const ajv = new Ajv.default({ strict: false });
  it('accept the conformance configs and refuse unknown keys and bad md5 values', () => {
    const validate = ajv.compile(luaSchemas['modifier/lua-backend']);
    const fixture = JSON.parse(readFileSync(join(fixturesDir(), 'krakend.json'), 'utf8').replace(/^\uFEFF/, '')) as {
      endpoints: { extra_config?: Record<string, unknown>; backend: { extra_config?: Record<string, unknown> }[] }[];
    };
    let seen = 0;
    for (const e of fixture.endpoints) {
      for (const block of [e.extra_config, ...e.backend.map((b) => b.extra_config)]) {
        for (const [ns, v] of Object.entries(block ?? {})) {
          if (!(ns in luaSchemas)) continue;
          seen++;
          assert.ok(validate(v), `${ns}: ${JSON.stringify(validate.errors)}`);
        }
      }
    }
    assert.ok(seen >= 6, `only ${seen} Lua blocks found`);
    assert.equal(validate({ sources: [], nope: 1 }), false);
    assert.equal(validate({ md5: { 'a.lua': 'xyz' } }), false);
    assert.equal(validate({ '@comment': 'ok', pre: 'x()' }), true);
  });

  it('names every namespace and legacy alias', () => {
    assert.deepEqual(Object.keys(LUA_NAMESPACES).sort(), Object.keys(luaSchemas).sort());
    for (const target of Object.values(LUA_LEGACY_NAMESPACES)) assert.ok(target in luaSchemas);
  });
});
