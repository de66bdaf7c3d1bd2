// Direct calls into Lua's C API. wasmoon 1.16 ships an emscripten build with ASSERTIONS: each
// call through `lua.lua_x` / `module._lua_x` goes via ccall and a wrapper that formats a template
// string, ~1 µs a call, which made one Lua call cost ~350 µs. We keep wasmoon for the module,
// its function table, and call the WASM exports themselves (the allocator too: wasmoon's goes
// through the same slow wrappers for every Lua allocation).
// The exports are captured once, while the factory instantiates the module (startup only).
import { LuaFactory, type LuaWasm } from 'wasmoon';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the WASM exports take and return numbers, strings, bigints and null; lua-vm.ts gives each call its meaning
type Fn = (...args: any[]) => any;
export interface LuaCApi {
  [name: string]: Fn;
}

let factory: LuaFactory | undefined;
let exportsCaptured: Record<string, unknown> | undefined;

/** The one factory (one WASM module) of this process; its raw exports captured when possible. */
export async function luaFactory(): Promise<LuaFactory> {
  if (factory) return factory;
  const wa = WebAssembly as unknown as { instantiate: Fn };
  const original = wa.instantiate;
  wa.instantiate = async function (this: unknown, ...args: unknown[]) {
    const result = await original.apply(this, args);
    const instance = (result as { instance?: WebAssembly.Instance }).instance ?? (result as WebAssembly.Instance);
    // Only Lua's module: other WASM (undici's llhttp) may instantiate meanwhile.
    if (instance && typeof instance === 'object' && 'exports' in instance && 'lua_newstate' in instance.exports)
      exportsCaptured ??= instance.exports as Record<string, unknown>;
    return result;
  };
  try {
    factory = new LuaFactory();
    await factory.getLuaModule();
  } finally {
    wa.instantiate = original;
  }
  return factory;
}

const NAMES = [
  'lua_newthread',
  'luaL_ref',
  'luaL_unref',
  'lua_rawgeti',
  'lua_pushlstring',
  'lua_pushinteger',
  'lua_pushnumber',
  'lua_pushboolean',
  'lua_pushnil',
  'lua_createtable',
  'lua_rawseti',
  'lua_setmetatable',
  'lua_rawset',
  'lua_checkstack',
  'lua_absindex',
  'lua_type',
  'lua_toboolean',
  'lua_isinteger',
  'lua_tointegerx',
  'lua_tonumberx',
  'lua_tolstring',
  'lua_rawequal',
  'lua_settop',
  'lua_getmetatable',
  'lua_rawlen',
  'lua_next',
  'lua_resume',
  'lua_error',
  'malloc',
  'free',
  'realloc',
  'lua_newstate',
  'lua_close',
  'lua_sethook',
  'lua_setglobal',
  'lua_getfield',
  'lua_pcallk',
  'luaL_loadbufferx',
  'luaopen_base',
  'luaopen_table',
  'luaopen_string',
  'luaopen_math',
  'luaopen_coroutine',
  'luaopen_debug',
  'luaopen_os',
];

/** Raw exports when captured, else wasmoon's `module._name` wrappers (same signatures, slower). */
export function capiFor(lua: LuaWasm): LuaCApi {
  const api: LuaCApi = {};
  const mod = lua.module as unknown as Record<string, Fn>;
  for (const name of NAMES) {
    const raw = exportsCaptured?.[name];
    api[name] = typeof raw === 'function' ? (raw as Fn) : mod['_' + name];
    if (typeof api[name] !== 'function') throw new Error(`Lua C API function ${name} not available`);
  }
  return api;
}
