// The Lua components against the engine's own tables: the schema copy equals the engine's, the
// placement (service/endpoint/backend) and the legacy names match, so the registry accepts
// exactly what the engine was written for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPONENTS_BY_NAMESPACE } from '../../src/components/registry.js';
import { LEGACY_NAMESPACES } from '../../src/config/krakend-namespaces.js';
import { LUA_LEGACY_NAMESPACES, LUA_NAMESPACES, luaSchemas } from '../../src/scripting/lua/schema.js';
import { luaNamespaceSchema } from '../../src/components/modifier/lua-shared/lua-schema.js';
import { flatOfMulti, gatewayParams, luraParams, queryOfMulti } from '../../src/components/modifier/lua-shared/lua-model.js';

test('each Lua namespace is registered with the engine schema at the engine placement', () => {
  for (const [ns, place] of Object.entries(LUA_NAMESPACES)) {
    const c = COMPONENTS_BY_NAMESPACE.get(ns);
    assert.ok(c, `${ns} registered`);
    assert.deepEqual(Object.keys(c.schemas).sort(), [...place.levels].sort());
    for (const s of Object.values(c.schemas)) assert.deepEqual(s, luaSchemas[ns as keyof typeof luaSchemas]);
  }
  assert.deepEqual(luaNamespaceSchema, luaSchemas['modifier/lua-backend']);
});

test('the legacy Lua names are renamed to the registered ones', () => {
  for (const [legacy, current] of Object.entries(LUA_LEGACY_NAMESPACES)) assert.equal(LEGACY_NAMESPACES[legacy], current);
});

test('script headers: framing and malformed fields are dropped', () => {
  assert.deepEqual(flatOfMulti({ 'X-A': ['1'], Host: ['evil'], 'Content-Length': ['9'], 'Bad Name': ['x'], 'X-B': ['ok', 'a\r\nInjected: 1'] }), [
    'x-a',
    '1',
    'x-b',
    'ok',
  ]);
});

test('params use lura names for scripts and the gateway names back', () => {
  const { params, back } = luraParams({ id: '1', Name: 'n' });
  assert.deepEqual(params, { Id: '1', Name: 'n' });
  assert.deepEqual(gatewayParams({ Id: '2', Name: 'n', New: 'x' }, back), { id: '2', Name: 'n', New: 'x' });
});

test('queries are encoded with sorted keys, as Go', () => {
  assert.equal(queryOfMulti({ z: ['1'], a: ['x y', '2'] }), 'a=x+y&a=2&z=1');
});
