// One sandboxed Lua state, made directly through the C API on wasmoon's WASM module (no wasmoon
// engine, so no type extension and no JS proxy can exist). Libraries opened: base, table,
// string, math, plus host-only debug and coroutine, which the prelude captures and removes.
// Our allocator (lua-alloc.ts, in WASM) enforces the memory cap; a count hook every 1000 instructions enforces the
// per-call time and instruction budget.
import { LuaReturn, type LuaWasm } from 'wasmoon';
import { PRELUDE_SANDBOX } from './prelude-sandbox.js';
import { PRELUDE_DATA } from './prelude-data.js';
import { PRELUDE_API } from './prelude-api.js';
import { PRELUDE_RUN } from './prelude-run.js';
import { freeScratch, pushJs, pushString, readLua, readString, type LuaCtx, type LuaRefs, type ReadLimit } from './lua-convert.js';
import { K_HEADER, type LuaCallModels } from './lua-models.js';
import { capiFor, luaFactory, type LuaCApi } from './lua-capi.js';
import { cappedAllocator, type CappedAllocator } from './lua-alloc.js';
import type { LuaBudget } from './types.js';

export const REGISTRY = -1000000 - 1000;
/** The error value the hook raises; the prelude's pcall wrappers re-raise it. */
export const BUDGET_ERROR = 'rampart: Lua budget exceeded';
const HOOK_EVERY = 1000;
const MASK_COUNT = 8;
const PRELUDE = PRELUDE_SANDBOX + PRELUDE_DATA + PRELUDE_API + PRELUDE_RUN;
const encoder = new TextEncoder();

export interface LuaChunk {
  kind: 'source' | 'pre' | 'post';
  name: string;
  code: string;
}

export class LuaVm {
  readonly L: number;
  readonly refs: LuaRefs;
  readonly runRef: number;
  readonly runRefBig: bigint;
  readonly lenPtr: number;
  /** Scratch int for lua_resume's result count. */
  readonly nresPtr: number;
  readonly api: LuaCApi;
  readonly ctx: LuaCtx;
  private readonly hookPtr: number;
  private readonly allocPtr: number;
  private readonly hostPtr: number;
  /** The models of the call running on this VM (HOSTLOAD reads them); undefined between calls. */
  models: LuaCallModels | undefined;
  private readonly registerRef: number;
  private readonly allocator: CappedAllocator;
  /** The coroutine calls run in, kept while it is reusable (0: none), and its registry ref. */
  thread = 0;
  threadRef = 0;
  deadline = Infinity;
  steps = 0;
  maxSteps = Infinity;
  tripped = false;
  broken = false;
  private closed = false;

  private constructor(
    private readonly lua: LuaWasm,
    private readonly budget: LuaBudget,
    openOs: boolean,
  ) {
    const api = (this.api = capiFor(lua));
    const module = lua.module;
    this.ctx = { api, heap: () => module.HEAPU8, scratch: 0, scratchCap: 0 };
    // The allocator runs in WASM (lua-alloc.ts): no JS call per Lua allocation.
    this.allocator = cappedAllocator(api.realloc as (p: number, n: number) => number, api.free as (p: number) => void);
    this.allocPtr = module.addFunction(this.allocator.alloc, 'iiiii');
    this.L = api.lua_newstate(this.allocPtr, 0) as number;
    if (!this.L) throw new Error('lua_newstate failed');
    this.lenPtr = api.malloc(4);
    this.nresPtr = api.malloc(4);
    const libs: [string, string][] = [
      ['luaopen_base', '_G'],
      ['luaopen_table', 'table'],
      ['luaopen_string', 'string'],
      ['luaopen_math', 'math'],
      ['luaopen_coroutine', 'coroutine'],
      ['luaopen_debug', 'debug'],
    ];
    if (openOs) libs.push(['luaopen_os', 'os']);
    for (const [open, name] of libs) {
      api[open](this.L);
      this.withCString(name, (p) => api.lua_setglobal(this.L, p));
    }
    this.hookPtr = module.addFunction((L: number) => {
      this.steps++;
      if (this.steps > this.maxSteps || Date.now() > this.deadline) {
        this.tripped = true;
        pushString(this.ctx, L, BUDGET_ERROR);
        api.lua_error(L);
      }
    }, 'vii');
    // HOSTLOAD(side, key[, name]): the prelude's only way to the call's models; it pushes plain
    // data (lua-convert), never a JS object. It runs inside the call (the memory cap and the
    // budget apply). A JS error becomes a Lua error; Lua's own errors (emscripten's longjmp,
    // thrown as a number) pass through untouched.
    this.hostPtr = module.addFunction((L: number): number => {
      try {
        const side = api.lua_tonumberx(L, 1, 0) as number;
        const key = api.lua_tonumberx(L, 2, 0) as number;
        const name = key === K_HEADER && api.lua_type(L, 3) === 4 ? readString(this.ctx, L, 3, this.lenPtr) : undefined;
        const v = this.models?.load(side, key, name);
        if (v === undefined) api.lua_pushnil(L);
        else pushJs(this.ctx, L, this.refs, v);
        return 1;
      } catch (err) {
        if (typeof err === 'number') throw err;
        pushString(this.ctx, L, err instanceof Error ? err.message : 'host load failed');
        api.lua_error(L);
        return 0;
      }
    }, 'ii');
    api.lua_sethook(this.L, this.hookPtr, MASK_COUNT, HOOK_EVERY);
    this.load('=rampart-prelude', PRELUDE);
    pushString(this.ctx, this.L, BUDGET_ERROR);
    api.lua_pushboolean(this.L, openOs ? 1 : 0);
    api.lua_pushcclosure(this.L, this.hostPtr, 0);
    this.pcall(3, 1);
    const field = (name: string): number => {
      this.withCString(name, (p) => api.lua_getfield(this.L, -1, p));
      return api.luaL_ref(this.L, REGISTRY) as number;
    };
    const array = field('array'),
      nul = field('null');
    this.refs = { array, null: nul, arrayBig: BigInt(array), nullBig: BigInt(nul) };
    this.runRef = field('run');
    this.runRefBig = BigInt(this.runRef);
    this.registerRef = field('register');
    api.lua_settop(this.L, 0);
    this.allocator.setCap(budget.memoryBytes);
  }

  static async create(budget: LuaBudget, openOs: boolean, chunks: LuaChunk[]): Promise<LuaVm> {
    const lua = await (await luaFactory()).getLuaModule();
    const vm = new LuaVm(lua, budget, openOs);
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

  /**
   * Start-up: compiles every chunk of a Lua block without keeping it (a syntax error names its
   * chunk), in one VM shared by every block of the process; the block's pool makes its VMs on
   * first use. A VM costs its prelude (~10-25 ms of CPU): five Lua blocks warmed one each were
   * most of a start's Lua time, and memory for VMs that a route might never use.
   */
  static async checkChunks(budget: LuaBudget, chunks: LuaChunk[]): Promise<void> {
    checker ??= LuaVm.create(budget, false, []);
    const vm = await checker;
    vm.allocator.setCap(budget.memoryBytes);
    chunks.forEach((c, i) => {
      try {
        vm.load(c.name, c.code);
      } catch (err) {
        if (err instanceof LuaSyntaxError) err.chunk = i;
        throw err;
      } finally {
        vm.api.lua_settop(vm.L, 0);
      }
    });
  }

  /** Host work (copying data in) runs with the cap lifted: an allocation failure outside a
   *  protected call would abort the whole WASM module. The cap is restored before Lua runs. */
  liftCap(): void {
    this.allocator.setCap(undefined);
  }
  restoreCap(): void {
    this.allocator.setCap(this.budget.memoryBytes);
  }
  memory(): number {
    return this.allocator.used();
  }

  private withCString<T>(s: string, fn: (ptr: number) => T): T {
    const bytes = encoder.encode(s);
    const ptr = this.api.malloc(bytes.length + 1) as number;
    try {
      const heap = this.ctx.heap();
      heap.set(bytes, ptr);
      heap[ptr + bytes.length] = 0;
      return fn(ptr);
    } finally {
      this.api.free(ptr);
    }
  }

  private errorText(): string {
    const v = readLua(this.ctx, this.L, this.refs, -1, this.lenPtr);
    this.api.lua_settop(this.L, 0);
    return typeof v === 'string' ? v : 'error';
  }

  private load(name: string, code: string): void {
    const bytes = encoder.encode(code);
    const ptr = this.api.malloc(bytes.length + 1) as number;
    try {
      this.ctx.heap().set(bytes, ptr);
      const rc = this.withCString(name, (n) => this.withCString('t', (m) => this.api.luaL_loadbufferx(this.L, ptr, bytes.length, n, m))) as number;
      if (rc !== LuaReturn.Ok) throw new LuaSyntaxError(this.errorText());
    } finally {
      this.api.free(ptr);
    }
  }

  private pcall(nargs: number, nres: number): void {
    const rc = this.api.lua_pcallk(this.L, nargs, nres, 0, 0, 0) as number;
    if (rc !== LuaReturn.Ok) throw new Error(`Lua prelude failed: ${this.errorText()}`);
  }

  private register(c: LuaChunk): void {
    this.api.lua_rawgeti(this.L, REGISTRY, BigInt(this.registerRef));
    pushString(this.ctx, this.L, c.kind);
    this.load(c.name, c.code);
    this.pcall(2, 0);
  }

  /** Reads the value at `idx` of thread `T` as plain data. */
  read(T: number, idx: number, limit?: ReadLimit): unknown {
    return readLua(this.ctx, T, this.refs, idx, this.lenPtr, limit);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.allocator.setCap(undefined);
    // Defence in depth (scripts cannot set __gc): anything lua_close runs is stopped at once.
    this.deadline = 0;
    this.maxSteps = 0;
    this.api.lua_close(this.L);
    freeScratch(this.ctx);
    this.api.free(this.lenPtr);
    this.api.free(this.nresPtr);
    this.lua.module.removeFunction(this.hookPtr);
    this.lua.module.removeFunction(this.hostPtr);
    this.lua.module.removeFunction(this.allocPtr);
  }
}

/** A chunk that does not parse; the message is Lua's own (`name:line: reason`). */
/** The VM that checks chunks at start-up (LuaVm.checkChunks), made on first use. */
let checker: Promise<LuaVm> | undefined;

export class LuaSyntaxError extends Error {
  /** Index of the failing chunk in the list given to `LuaVm.create`. */
  chunk = -1;
}
