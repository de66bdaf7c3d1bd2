// Builds the component stages of one config object (service, endpoint or backend) from its
// extra_config, in registry order, and compiles their guards (by phase) and response hooks.
// Build failures are collected as config problems (with the namespace's JSON pointer), never
// thrown one by one. A component's runtime (ComponentSpec.load) is imported here, the first time
// a config uses it.
import { COMPONENTS } from '../components/registry.js';
import type { BuildEnv, ComponentSpec } from '../components/types.js';
import { PHASES, type Guard, type Phase, type Scope, type RequestContext, type Rejection, type ResponseHook, type Stage } from '../core/request.js';
import { PointedError, pointerJoin, type Problems } from '../core/config-error.js';
import { skippedReads } from '../core/config-files.js';
import type { BackendHandler, UpstreamRequest, UpstreamRequestHook, UpstreamResponseHook } from '../core/backend-result.js';

/** A backend's HTTP-level hooks (martian, Lua): requests in order, responses in reverse.
 * `rewrites` are the request hooks that are plain synchronous rewrites (Stage.rewriteUpstream),
 * also listed in `request` at their place: when they are all there is, compile-backend applies
 * them while preparing the request and the backend keeps the direct path. */
export interface UpstreamHooks {
  request: UpstreamRequestHook[];
  response: UpstreamResponseHook[];
  rewrites: ((req: UpstreamRequest) => UpstreamRequest)[];
}
import type { HookEntry, HookList } from './respond.js';

/** One built stage with its fixed slot. */
export interface StageEntry {
  readonly phase: Phase;
  readonly guard: Guard | undefined;
  readonly hook: ResponseHook | undefined;
  readonly hookNeedsBody: boolean;
  /** The hook's work on Go JSON bytes (Stage.rewriteGoJson), when it has one. */
  readonly goJson?: (bytes: Buffer) => Buffer | undefined;
}

export interface BuiltStages {
  entries: StageEntry[];
  arounds: ((next: BackendHandler) => BackendHandler)[];
  /** Backend scope: HTTP-level request and response hooks, in registry order. */
  upstream: UpstreamHooks;
  stages: Stage[];
}

/** The declared needs of a namespace that this config object does not meet. */
function unmet(c: ComponentSpec, value: unknown, scope: Scope, extra: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const r of c.requires?.(value, scope) ?? []) if (!(r.namespace in extra)) out.push(r.why);
  for (const r of c.excludes ?? []) if (r.namespace in extra) out.push(r.why);
  return out;
}

export async function buildStages(extra: Record<string, unknown>, env: BuildEnv, problems: Problems): Promise<BuiltStages> {
  const out: BuiltStages = { entries: [], arounds: [], upstream: { request: [], response: [], rewrites: [] }, stages: [] };
  for (const c of COMPONENTS) {
    if (!c.load || !(c.namespace in extra)) continue;
    const at = pointerJoin(env.pointer, c.namespace);
    const why = unmet(c, extra[c.namespace], env.scope, extra);
    if (why.length > 0) {
      for (const w of why) problems.add(at, w);
      continue;
    }
    const refusedBefore = skippedReads();
    try {
      const runtime = await c.load();
      const stage = await runtime.build(extra[c.namespace], { ...env, pointer: at });
      if (!stage) continue;
      out.stages.push(stage);
      if (stage.onAuthenticated) out.entries.push({ phase: 'authenticate', guard: stage.onAuthenticated, hook: undefined, hookNeedsBody: false });
      if (stage.onRequest || stage.onResponse)
        out.entries.push({
          phase: c.phase ?? 'edge',
          guard: stage.onRequest,
          hook: stage.onResponse,
          hookNeedsBody: stage.hookNeedsBody === true,
          goJson: stage.onResponse ? stage.rewriteGoJson : undefined,
        });
      if (stage.around) out.arounds.push(stage.around);
      if (stage.onUpstreamRequest) out.upstream.request.push(stage.onUpstreamRequest);
      else if (stage.rewriteUpstream) {
        const rw = stage.rewriteUpstream;
        out.upstream.rewrites.push(rw);
        out.upstream.request.push((req) => rw(req));
      }
      if (stage.onUpstreamResponse) out.upstream.response.push(stage.onUpstreamResponse);
    } catch (err) {
      // `check --lint` refused a file read of this component: its failure says nothing of the config.
      if (skippedReads() > refusedBefore) continue;
      // A component with several problems throws them together (AggregateError): each at its pointer.
      for (const e of err instanceof AggregateError ? (err.errors as unknown[]) : [err]) {
        if (e instanceof PointedError) {
          problems.add(at + e.at, e.message);
          continue;
        }
        const p = placeProblem(extra[c.namespace], at, String((e as Error)?.message ?? e));
        problems.add(p.pointer, p.message);
      }
    }
  }
  return out;
}

/**
 * A build error may start with where it is inside the namespace value ("tiers/0: ratelimit:
 * ..."): each leading "path: " that names a place that exists in the value moves into the
 * pointer, so the position is never left in the text (issue #18).
 */
export function placeProblem(value: unknown, at: string, message: string): { pointer: string; message: string } {
  let pointer = at;
  let rest = message;
  let node = value;
  for (let guard = 0; guard < 16; guard++) {
    const m = /^([A-Za-z0-9_.@$#-]+(?:\/[A-Za-z0-9_.@$#-]+)*): (.+)$/s.exec(rest);
    if (!m) break;
    let v = node;
    for (const k of m[1].split('/')) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k)) {
        v = undefined;
        break;
      }
      v = (v as Record<string, unknown>)[k];
    }
    if (v === undefined) break;
    pointer = pointerJoin(pointer, ...m[1].split('/'));
    rest = m[2];
    node = v;
  }
  return { pointer, message: rest };
}

/** Composes wrappers so the first listed component is the outermost. */
export function wrapAll(handler: BackendHandler, arounds: BuiltStages['arounds']): BackendHandler {
  let h = handler;
  for (let i = arounds.length - 1; i >= 0; i--) h = arounds[i](h);
  return h;
}

export type GuardRunner = (ctx: RequestContext) => Rejection | undefined | Promise<Rejection | undefined>;

/** Which field of the context records the index of the refusing guard. */
export type GuardLevel = 'serviceRefusedAt' | 'endpointRefusedAt';

/** The entries in execution order: by phase, registry order within a phase. */
function inExecutionOrder(entries: readonly StageEntry[], phases: readonly Phase[]): StageEntry[] {
  const out: StageEntry[] = [];
  for (const p of phases) for (const e of entries) if (e.phase === p) out.push(e);
  return out;
}

export interface CompiledPhases {
  /** Runners over the given groups of phases, in order (null: nothing to run); guard indices
   * continue from one group to the next. */
  runners: (GuardRunner | null)[];
  /** Number of guards in each group. */
  counts: number[];
  /** Response hooks with the guard count they wait for. */
  hooks: HookList;
  /** Some hook reads streamed bodies. */
  hooksNeedBody: boolean;
  /** Every hook has a Go JSON bytes form (StageEntry.goJson): them all, in the order the hooks
   * run, undefined from any one meaning "cannot tell"; null when some hook has none, or there
   * are no hooks. */
  goJson: ((bytes: Buffer) => Buffer | undefined) | null;
}

/** Compiles guards and hooks for groups of phases (e.g. [edge, authenticate, admit] before the
 * body is read, [validate] after). */
export function compilePhases(entries: readonly StageEntry[], groups: readonly (readonly Phase[])[], level: GuardLevel): CompiledPhases {
  const runners: (GuardRunner | null)[] = [];
  const counts: number[] = [];
  const hooks: HookEntry[] = [];
  const goJson: ((bytes: Buffer) => Buffer | undefined)[] = [];
  let before = 0;
  let needBody = false;
  for (const g of groups) {
    const guards: Guard[] = [];
    for (const e of inExecutionOrder(entries, g)) {
      if (e.guard) guards.push(e.guard);
      if (e.hook) hooks.push({ hook: e.hook, after: before + guards.length });
      if (e.hook && e.hookNeedsBody) needBody = true;
      if (e.hook && e.goJson) goJson.push(e.goJson);
    }
    runners.push(compileGuards(guards, before, level));
    counts.push(guards.length);
    before += guards.length;
  }
  return {
    runners,
    counts,
    hooks: hooks.length > 0 ? Object.freeze(hooks) : null,
    hooksNeedBody: needBody,
    goJson: hooks.length > 0 && goJson.length === hooks.length ? inHookOrder(goJson) : null,
  };
}

/** The Go JSON forms of hooks listed in execution order, composed as runHooks runs them (last
 * first); the first undefined ends it. */
function inHookOrder(list: readonly ((bytes: Buffer) => Buffer | undefined)[]): (bytes: Buffer) => Buffer | undefined {
  if (list.length === 1) return list[0];
  return (bytes) => {
    let out: Buffer | undefined = bytes;
    for (let i = list.length - 1; i >= 0 && out !== undefined; i--) out = list[i](out);
    return out;
  };
}

/** The service level: every phase in one group. */
export function compileServicePhases(entries: readonly StageEntry[]): CompiledPhases {
  return compilePhases(entries, [PHASES], 'serviceRefusedAt');
}

/** One runner over the guards; null when there is nothing to run (so the hot path skips it).
 * Awaits only guards that really return a promise; a refusal records the guard's index (offset
 * by `base`) on the context, so only the hooks of stages the request got past run. */
export function compileGuards(list: readonly Guard[], base: number, level: GuardLevel): GuardRunner | null {
  if (list.length === 0) return null;
  const runFrom = async (ctx: RequestContext, i: number, pending: Promise<Rejection | undefined>): Promise<Rejection | undefined> => {
    const r = await pending;
    if (r) {
      ctx[level] = base + i - 1;
      return r;
    }
    for (let j = i; j < list.length; j++) {
      const x = list[j](ctx);
      const y = x instanceof Promise ? await x : x;
      if (y) {
        ctx[level] = base + j;
        return y;
      }
    }
    return undefined;
  };
  return (ctx) => {
    for (let i = 0; i < list.length; i++) {
      const r = list[i](ctx);
      if (r instanceof Promise) return runFrom(ctx, i + 1, r);
      if (r) {
        ctx[level] = base + i;
        return r;
      }
    }
    return undefined;
  };
}
