// One call of a compiled script set on one VM: a coroutine resumes the prelude's `run`, which
// copies in the models' fields as the script asks for them (LuaVm's HOSTLOAD). A yield is an
// `http_response.new` request: the host performs it (allow-listed, with a timeout) and resumes
// with a plain answer. The hook's deadline counts only Lua execution; HTTP waits have their own
// timeout. A call that never yields (almost all) runs synchronously: no promise is made for it.
import { LuaReturn } from 'wasmoon';
import { LuaReadLimitError, pushJs } from './lua-convert.js';
import type { LuaCallModels } from './lua-models.js';
import { BUDGET_ERROR, REGISTRY, type LuaVm } from './lua-vm.js';
import type { LuaBudget } from './types.js';

export interface RawOutcome {
  /** The table `run` returned, as plain data; absent when the call failed outside `run`. */
  value?: Record<string, unknown>;
  failure?: { reason: 'timeout' | 'memory' | 'runtime' | 'busy'; message: string };
}

export type HttpPerformer = (req: Record<string, unknown>) => Promise<Record<string, unknown>>;

const MAX_YIELDS = 64;

/** One call in progress: its coroutine and what is left of its time budget. */
interface CallState {
  vm: LuaVm;
  budget: LuaBudget;
  T: number;
  remaining: number;
  reusable: boolean;
}

/** What a call that changed nothing gives (shared: it is only read). */
const NOTHING_CHANGED: RawOutcome = Object.freeze({ value: Object.freeze({ ok: true, model: Object.freeze({}) }) });

/** The number of values the last lua_resume left (its out parameter). */
function resultCount(vm: LuaVm): number {
  const h = vm.ctx.heap();
  const p = vm.nresPtr;
  return h[p] | (h[p + 1] << 8) | (h[p + 2] << 16) | (h[p + 3] << 24);
}

/** Resumes the call's coroutine once: the outcome, or the request of an `http_response.new`. */
function resume(s: CallState, nargs: number): RawOutcome | { http: Record<string, unknown> } {
  const { vm, T } = s;
  const { api, L, nresPtr } = vm;
  const started = Date.now();
  vm.deadline = started + s.remaining;
  vm.restoreCap();
  const rc = api.lua_resume(T, L, nargs, nresPtr) as number;
  vm.liftCap();
  vm.deadline = Infinity;
  s.remaining -= Date.now() - started;
  if (rc === LuaReturn.Ok && !vm.tripped) {
    s.reusable = true;
    // The result table is read through the C API, bounded by the memory cap and what is left
    // of the time budget (shared sub-tables cannot blow up the host's heap).
    // `run` returns (true, changed fields), true alone (nothing changed) or (false, error table).
    if (resultCount(vm) === 1) return NOTHING_CHANGED;
    const ok = api.lua_toboolean(T, -2) === 1;
    const read = vm.read(T, -1, { bytes: s.budget.memoryBytes, deadline: Date.now() + Math.max(s.remaining, 0), nodes: 0 });
    const table = (read && typeof read === 'object' ? read : {}) as Record<string, unknown>;
    return { value: ok ? { ok: true, model: table } : table };
  }
  if (rc !== LuaReturn.Yield || vm.tripped) return { failure: classify(vm, rc, T) };
  const request = resultCount(vm) > 0 ? vm.read(T, -1) : null;
  api.lua_settop(T, 0);
  return { http: (request ?? {}) as Record<string, unknown> };
}

/** Puts the VM back in order after a call (whatever its end). */
function finish(s: CallState): void {
  const { vm } = s;
  const { api, L } = vm;
  vm.models = undefined;
  vm.deadline = Infinity;
  vm.maxSteps = Infinity;
  if (s.reusable) api.lua_settop(s.T, 0);
  else {
    api.luaL_unref(L, REGISTRY, vm.threadRef);
    vm.thread = 0;
  }
  api.lua_settop(L, 0);
  vm.restoreCap();
}

function caught(err: unknown): RawOutcome {
  if (err instanceof LuaReadLimitError) return { failure: { reason: err.reason, message: err.message } };
  // Data that cannot leave the script (cycles, functions) or cannot enter it.
  return { failure: { reason: 'runtime', message: err instanceof Error ? err.message : String(err) } };
}

/** The rest of a call that yielded: HTTP exchanges and resumes until it ends. */
async function continueAfterYield(s: CallState, first: Record<string, unknown>, http: HttpPerformer): Promise<RawOutcome> {
  const { vm, T } = s;
  try {
    let request = first;
    for (let round = 1; ; round++) {
      if (round > MAX_YIELDS) return { failure: { reason: 'runtime', message: `more than ${MAX_YIELDS} http_response calls` } };
      let answer: Record<string, unknown>;
      try {
        answer = await http(request);
      } catch (err) {
        answer = { error: err instanceof Error ? err.message : 'failed' };
      }
      pushJs(vm.ctx, T, vm.refs, answer);
      const r = resume(s, 1);
      if (!('http' in r)) return r;
      request = r.http;
    }
  } catch (err) {
    return caught(err);
  } finally {
    finish(s);
  }
}

export function runLuaCall(vm: LuaVm, budget: LuaBudget, phase: 'pre' | 'post', models: LuaCallModels, http: HttpPerformer): RawOutcome | Promise<RawOutcome> {
  const { api, L } = vm;
  vm.liftCap();
  // A coroutine that finished normally is reusable (status OK, empty stack): keep one per VM
  // and make a new one only after an error or an abandoned yield.
  let T = vm.thread;
  if (!T) {
    T = api.lua_newthread(L) as number;
    vm.threadRef = api.luaL_ref(L, REGISTRY) as number;
    vm.thread = T;
  }
  const s: CallState = { vm, budget, T, remaining: budget.timeMs, reusable: false };
  vm.steps = 0;
  vm.maxSteps = Math.ceil(budget.instructions / 1000);
  vm.tripped = false;
  let pending = false;
  try {
    // Only which models exist: the prelude asks for their fields as the script needs them.
    vm.models = models;
    api.lua_rawgeti(T, REGISTRY, vm.runRefBig);
    api.lua_pushboolean(T, phase === 'post' ? 1 : 0);
    api.lua_pushboolean(T, models.req ? 1 : 0);
    api.lua_pushboolean(T, models.resp ? 1 : 0);
    const r = resume(s, 3);
    if (!('http' in r)) return r;
    pending = true;
    return continueAfterYield(s, r.http, http);
  } catch (err) {
    return caught(err);
  } finally {
    if (!pending) finish(s);
  }
}

function classify(vm: LuaVm, rc: number, T: number): NonNullable<RawOutcome['failure']> {
  let message = 'Lua error';
  try {
    const v = vm.read(T, -1);
    if (typeof v === 'string') message = v;
  } catch {
    /* a non-data error value: keep the generic message */
  }
  if (vm.tripped || message === BUDGET_ERROR) {
    vm.broken = true;
    return { reason: 'timeout', message: 'Lua script exceeded its time/instruction budget' };
  }
  if (rc === LuaReturn.ErrorMem || message === 'not enough memory') {
    vm.broken = true;
    return { reason: 'memory', message: 'Lua script exceeded its memory cap' };
  }
  return { reason: 'runtime', message };
}
