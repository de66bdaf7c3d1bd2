// Copies plain JS data into fresh Lua tables and back, through the Lua C API only. No wasmoon
// type extension (and so no JS proxy or JS object) is ever pushed: a script sees tables,
// strings, numbers and booleans. JSON arrays carry the prelude's ARRAY metatable, null the NULL
// table; integral JS numbers become Lua integers so they print as "42", like Lua 5.1 does.
import type { LuaCApi } from './lua-capi.js';

const REGISTRY = -1000000 - 1000;
const TNIL = 0,
  TBOOLEAN = 1,
  TNUMBER = 3,
  TSTRING = 4,
  TTABLE = 5;
const MAX_DEPTH = 64;
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const TYPE_NAMES = ['nil', 'boolean', 'light userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'];

/** The C API plus the live heap view (it is replaced when WASM memory grows). */
export interface LuaCtx {
  api: LuaCApi;
  heap(): Uint8Array;
  /** A reusable WASM buffer strings are staged in before lua_pushlstring copies them (0: none yet). */
  scratch: number;
  scratchCap: number;
}

/** Frees the staging buffer (the VM is closing). */
export function freeScratch(c: LuaCtx): void {
  if (c.scratch) c.api.free(c.scratch);
  c.scratch = 0;
  c.scratchCap = 0;
}

export interface LuaRefs {
  array: number;
  null: number;
  /** The same refs as BigInt (lua_rawgeti takes a lua_Integer), converted once. */
  arrayBig: bigint;
  nullBig: bigint;
}

export function pushString(c: LuaCtx, L: number, s: string): void {
  // UTF-8 needs at most 3 bytes per UTF-16 unit; encodeInto writes straight into WASM memory,
  // into one buffer reused for every string (lua_pushlstring copies it).
  const need = s.length * 3 + 1;
  if (need > c.scratchCap) {
    const cap = Math.max(need, 256, c.scratchCap * 2);
    const ptr = c.api.malloc(cap) as number;
    if (!ptr) throw new Error('out of WASM memory');
    if (c.scratch) c.api.free(c.scratch);
    c.scratch = ptr;
    c.scratchCap = cap;
  }
  const { written } = encoder.encodeInto(s, c.heap().subarray(c.scratch, c.scratch + need));
  c.api.lua_pushlstring(L, c.scratch, written);
}

export function pushJs(c: LuaCtx, L: number, refs: LuaRefs, v: unknown, depth = 0): void {
  const lua = c.api;
  if (depth > MAX_DEPTH) throw new Error('data nested too deep for Lua');
  lua.lua_checkstack(L, 4);
  if (v === null || v === undefined) {
    lua.lua_rawgeti(L, REGISTRY, refs.nullBig);
  } else if (typeof v === 'string') {
    pushString(c, L, v);
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) lua.lua_pushinteger(L, BigInt(v));
    else lua.lua_pushnumber(L, v);
  } else if (typeof v === 'boolean') {
    lua.lua_pushboolean(L, v ? 1 : 0);
  } else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    for (let i = 0; i < v.length; i++) {
      pushJs(c, L, refs, v[i], depth + 1);
      lua.lua_rawseti(L, -2, BigInt(i + 1));
    }
    lua.lua_rawgeti(L, REGISTRY, refs.arrayBig);
    lua.lua_setmetatable(L, -2);
  } else if (typeof v === 'object') {
    const keys = Object.keys(v);
    lua.lua_createtable(L, 0, keys.length);
    for (const k of keys) {
      pushString(c, L, k);
      pushJs(c, L, refs, (v as Record<string, unknown>)[k], depth + 1);
      lua.lua_rawset(L, -3);
    }
  } else {
    throw new Error(`cannot copy a ${typeof v} into Lua`);
  }
}

export function readString(c: LuaCtx, L: number, idx: number, lenPtr: number): string {
  const p = c.api.lua_tolstring(L, idx, lenPtr) as number;
  const heap = c.heap();
  const len = heap[lenPtr] | (heap[lenPtr + 1] << 8) | (heap[lenPtr + 2] << 16) | (heap[lenPtr + 3] << 24);
  // Short ASCII strings (keys, header names, most values) are built directly: TextDecoder's
  // fixed cost per call is far larger than a few fromCharCode.
  if (len <= 32) {
    let s = '';
    for (let i = p; i < p + len; i++) {
      const b = heap[i];
      if (b > 127) return decoder.decode(heap.subarray(p, p + len));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return decoder.decode(heap.subarray(p, p + len));
}

function readNumber(lua: LuaCApi, L: number, idx: number): number {
  if (lua.lua_isinteger(L, idx)) return Number(lua.lua_tointegerx(L, idx, null));
  return lua.lua_tonumberx(L, idx, null);
}

/** Bounds on reading a result out (host code, outside the Lua hook): shared sub-tables would
 *  otherwise expand exponentially in the host's heap. `bytes` is what may still be produced
 *  (strings, plus a flat cost per value); `deadline` is the call's remaining time budget. */
export interface ReadLimit {
  bytes: number;
  deadline: number;
  nodes: number;
}
export class LuaReadLimitError extends Error {
  constructor(readonly reason: 'memory' | 'timeout') {
    super(reason === 'memory' ? 'Lua result exceeds the memory cap' : 'Lua result exceeds the time budget');
  }
}
const NODE_COST = 16;

/** Reads the Lua value at `idx` as plain JS data; functions, userdata and cycles are errors.
 *  Non-finite numbers read as null (as JSON has them). */
export function readLua(c: LuaCtx, L: number, refs: LuaRefs, idx: number, lenPtr: number, limit?: ReadLimit): unknown {
  const lua = c.api;
  idx = lua.lua_absindex(L, idx);
  lua.lua_checkstack(L, 8);
  // The two sentinels sit on the stack for the whole read: one rawequal per table.
  lua.lua_rawgeti(L, REGISTRY, refs.nullBig);
  lua.lua_rawgeti(L, REGISTRY, refs.arrayBig);
  const top = lua.lua_gettop(L);
  const r = new Reader(c, L, top - 1, top, lenPtr, limit ?? { bytes: Infinity, deadline: Infinity, nodes: 0 });
  try {
    return r.read(idx, 0);
  } finally {
    lua.lua_settop(L, top - 2);
  }
}

class Reader {
  constructor(
    private readonly c: LuaCtx,
    private readonly L: number,
    private readonly nullIdx: number,
    private readonly arrayIdx: number,
    private readonly lenPtr: number,
    private readonly limit: ReadLimit,
  ) {}

  private spend(bytes: number): void {
    const l = this.limit;
    l.bytes -= bytes + NODE_COST;
    if (l.bytes < 0) throw new LuaReadLimitError('memory');
    if ((++l.nodes & 255) === 0 && Date.now() > l.deadline) throw new LuaReadLimitError('timeout');
  }

  private str(idx: number): string {
    const s = readString(this.c, this.L, idx, this.lenPtr);
    this.spend(s.length);
    return s;
  }

  read(idx: number, depth: number): unknown {
    const { L } = this;
    const lua = this.c.api;
    const t = lua.lua_type(L, idx);
    if (t === TSTRING) return this.str(idx);
    this.spend(0);
    if (t === TNIL) return null;
    if (t === TBOOLEAN) return lua.lua_toboolean(L, idx) === 1;
    if (t === TNUMBER) {
      const n = readNumber(lua, L, idx);
      return Number.isFinite(n) ? n : null;
    }
    if (t !== TTABLE) throw new Error(`a Lua ${TYPE_NAMES[t] ?? 'value'} cannot leave the script`);
    if (depth > MAX_DEPTH) throw new Error('data nested too deep (or cyclic)');
    lua.lua_checkstack(L, 4);
    if (lua.lua_rawequal(L, idx, this.nullIdx) === 1) return null;
    let isArray = false;
    if (lua.lua_getmetatable(L, idx)) {
      isArray = lua.lua_rawequal(L, -1, this.arrayIdx) === 1;
      lua.lua_settop(L, -2);
    }
    const top = lua.lua_gettop(L);
    if (isArray) {
      const n = Number(lua.lua_rawlen(L, idx));
      const out: unknown[] = [];
      for (let i = 1; i <= n; i++) {
        lua.lua_rawgeti(L, idx, BigInt(i));
        out.push(this.read(top + 1, depth + 1));
        lua.lua_settop(L, top);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    lua.lua_pushnil(L);
    while (lua.lua_next(L, idx)) {
      const kt = lua.lua_type(L, top + 1);
      let key: string;
      if (kt === TSTRING) key = this.str(top + 1);
      else if (kt === TNUMBER) key = String(readNumber(lua, L, top + 1));
      else if (kt === TBOOLEAN) key = String(lua.lua_toboolean(L, top + 1) === 1);
      else {
        lua.lua_settop(L, top + 1);
        continue;
      }
      const v = this.read(top + 2, depth + 1);
      // defineProperty: a "__proto__" key stays an own property, never a prototype change
      // (only for that key: defineProperty is far slower than a plain store).
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      lua.lua_settop(L, top + 1);
    }
    return out;
  }
}
