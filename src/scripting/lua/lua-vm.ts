// One sandboxed Lua state: built (at startup or when a broken one is replaced) from a wasmoon
// engine with no standard library opened, then base/table/string/math (+ host-only debug and
// coroutine, which the prelude captures and removes). A count hook every 1000 instructions
// enforces the per-call time and instruction budget; wasmoon's allocator enforces the memory cap.
import { LuaFactory, LuaLibraries, LuaReturn, type LuaEngine } from 'wasmoon';
import type { LuaWasm } from 'wasmoon';
import { PRELUDE_SANDBOX } from './prelude-sandbox.js';
import { PRELUDE_DATA } from './prelude-data.js';
import { PRELUDE_API } from './prelude-api.js';
import { pushString, readLua, type LuaRefs } from './lua-convert.js';
import type { LuaBudget } from './types.js';

export const REGISTRY = -1000000 - 1000;
/** The error value the hook raises; the prelude's pcall wrappers re-raise it. */
export const BUDGET_ERROR = 'rampart: Lua budget exceeded';
const HOOK_EVERY = 1000;
const MASK_COUNT = 8;
const PRELUDE = PRELUDE_SANDBOX + PRELUDE_DATA + PRELUDE_API;

let factory: LuaFactory | undefined;

export interface LuaChunk {
  kind: 'source' | 'pre' | 'post';
  name: string;
  code: string;
}

export class LuaVm {
  readonly lua: LuaWasm;
  readonly L: number;
  readonly refs: LuaRefs;
  readonly runRef: number;
  readonly lenPtr: number;
  private readonly hookPtr: number;
  deadline = Infinity;
  steps = 0;
  maxSteps = Infinity;
  tripped = false;
  broken = false;

  private constructor(private readonly engine: LuaEngine, private readonly budget: LuaBudget, openOs: boolean) {
    const g = engine.global;
    this.lua = g.lua;
    this.L = g.address;
    const lua = this.lua;
    this.lenPtr = lua.module._malloc(4);
    for (const lib of [LuaLibraries.Base, LuaLibraries.Table, LuaLibraries.String, LuaLibraries.Math, LuaLibraries.Coroutine, LuaLibraries.Debug]) g.loadLibrary(lib);
    if (openOs) g.loadLibrary(LuaLibraries.OS);
    this.hookPtr = lua.module.addFunction((L: number) => {
      this.steps++;
      if (this.steps > this.maxSteps || Date.now() > this.deadline) {
        this.tripped = true;
        pushString(lua, L, BUDGET_ERROR);
        lua.lua_error(L);
      }
    }, 'vii');
    lua.lua_sethook(this.L, this.hookPtr, MASK_COUNT, HOOK_EVERY);
    this.load('=rampart-prelude', PRELUDE);
    pushString(lua, this.L, BUDGET_ERROR);
    lua.lua_pushboolean(this.L, openOs ? 1 : 0);
    this.pcall(2, 1);
    const field = (name: string): number => {
      lua.lua_getfield(this.L, -1, name);
      return lua.luaL_ref(this.L, REGISTRY);
    };
    this.refs = { array: field('array'), null: field('null') };
    this.runRef = field('run');
    const registerRef = field('register');
    lua.lua_settop(this.L, 0);
    this.registerRef = registerRef;
    g.setMemoryMax(budget.memoryBytes);
  }
  private readonly registerRef: number;

  static async create(budget: LuaBudget, openOs: boolean, chunks: LuaChunk[]): Promise<LuaVm> {
    factory ??= new LuaFactory();
    const engine = await factory.createEngine({ openStandardLibs: false, injectObjects: false, enableProxy: false, traceAllocations: true });
    const vm = new LuaVm(engine, budget, openOs);
    try {
      chunks.forEach((c, i) => {
        try {
          vm.register(c);
        } catch (err) {
          if (err instanceof LuaSyntaxError) err.chunk = i;
          throw err;
        }
      });
    } catch (err) {
      vm.close();
      throw err;
    }
    return vm;
  }

  /** Host work (copying data in) runs with the cap lifted: an allocation failure outside a
   *  protected call would abort the whole WASM module. The cap is restored before Lua runs. */
  liftCap(): void { this.engine.global.setMemoryMax(undefined); }
  restoreCap(): void { this.engine.global.setMemoryMax(this.budget.memoryBytes); }
  memoryUsed(): number { return this.engine.global.getMemoryUsed(); }

  private load(name: string, code: string): void {
    const lua = this.lua;
    const m = lua.module;
    const size = m.lengthBytesUTF8(code);
    const ptr = m._malloc(size + 1);
    try {
      m.stringToUTF8(code, ptr, size + 1);
      const rc = lua.luaL_loadbufferx(this.L, ptr, size, name, 't');
      if (rc !== LuaReturn.Ok) {
        const msg = lua.lua_tolstring(this.L, -1, null);
        lua.lua_settop(this.L, 0);
        throw new LuaSyntaxError(msg);
      }
    } finally {
      m._free(ptr);
    }
  }

  private pcall(nargs: number, nres: number): void {
    const rc = this.lua.lua_pcallk(this.L, nargs, nres, 0, 0, null);
    if (rc !== LuaReturn.Ok) {
      const msg = this.lua.lua_tolstring(this.L, -1, null);
      this.lua.lua_settop(this.L, 0);
      throw new Error(`Lua prelude failed: ${msg}`);
    }
  }

  private register(c: LuaChunk): void {
    this.lua.lua_rawgeti(this.L, REGISTRY, BigInt(this.registerRef));
    pushString(this.lua, this.L, c.kind);
    this.load(c.name, c.code);
    this.pcall(2, 0);
  }

  /** Reads the value at `idx` of thread `T` as plain data. */
  read(T: number, idx: number): unknown {
    return readLua(this.lua, T, this.refs, idx, this.lenPtr);
  }

  close(): void {
    this.engine.global.close();
    this.lua.module.removeFunction(this.hookPtr);
    this.lua.module._free(this.lenPtr);
  }
}

/** A chunk that does not parse; the message is Lua's own (`name:line: reason`). */
export class LuaSyntaxError extends Error {
  /** Index of the failing chunk in the list given to `LuaVm.create`. */
  chunk = -1;
}
