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

// Lua 5.4 turns a float into text with "%.14g" and then appends ".0" when the text looks like
// an integer (lobject.c tostringbuff: `buff[strspn(buff, "-0123456789")] == '\0'`), so
// `2^3 .. ""` is "8.0"; Lua 5.1 and KrakenD's gopher-lua print "8". `..` does not go through any
// hook a script or the prelude can reach, so the test's character set is changed in the module's
// data before it is instantiated: with only "-" in the set the check never matches a number's
// text, and every float prints exactly as "%.14g" does (tostring, `..`, string.format("%s")).
// The string is a literal of that one function (Lua's own sources use it nowhere else); the
// patch applies only when it occurs exactly once, and startup fails otherwise.
const INT_LIKE = Buffer.from('\x00-0123456789\x00', 'latin1');
const NEVER_INT_LIKE = Buffer.from('\x00-----------\x00', 'latin1');

/** A copy of the module's bytes with Lua 5.1's number text (see above). */
export function withLua51NumberText(bytes: Uint8Array): Uint8Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Only Lua's module (undici's llhttp is instantiated through the same function).
  if (buf.indexOf('lua_newstate') < 0) return bytes;
  const at = buf.indexOf(INT_LIKE);
  if (at < 0 || buf.indexOf(INT_LIKE, at + 1) >= 0) throw new Error('wasmoon module: the Lua number-format literal was not found exactly once');
  const out = Buffer.from(buf);
  NEVER_INT_LIKE.copy(out, at);
  return out;
}
let exportsCaptured: Record<string, unknown> | undefined;

/** The one factory (one WASM module) of this process; its raw exports captured when possible. */
export async function luaFactory(): Promise<LuaFactory> {
  if (factory) return factory;
  const wa = WebAssembly as unknown as { instantiate: Fn };
  const original = wa.instantiate;
  wa.instantiate = async function (this: unknown, ...args: unknown[]) {
    if (args[0] instanceof Uint8Array) args[0] = withLua51NumberText(args[0]);
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
  'lua_gettop',
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
  'lua_pushcclosure',
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
