// The JSON Schema shared by the three Lua namespaces (KrakenD v2.13 modifier/lua.json): the
// engine's own, from its light schema module (no engine code: the registry imports this on every
// start, and test/unit/startup-imports.test.ts keeps wasmoon out of that graph).
export { luaNamespace as luaNamespaceSchema } from '../../../scripting/lua/schema.js';

/** The config value of any Lua namespace (the engine's own type). */
export type { LuaConfig } from '../../../scripting/lua/types.js';
