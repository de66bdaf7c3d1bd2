// Builds the component stages of one config object (service, endpoint or backend) from its
// extra_config, in registry order, and groups their guards by phase. Build failures are
// collected as config problems (with the namespace's JSON pointer), never thrown one by one.
// A component's runtime (ComponentSpec.load) is imported here, the first time a config uses it.
import { COMPONENTS } from '../components/registry.js';
import { PHASES, type BuildEnv, type Guard, type Phase, type RequestContext, type Rejection, type Stage } from '../components/types.js';
import { pointerJoin, type Problems } from '../config/errors.js';
import type { BackendHandler } from './types.js';

export interface BuiltStages {
  guards: Record<Phase, Guard[]>;
  arounds: ((next: BackendHandler) => BackendHandler)[];
  stages: Stage[];
}

export async function buildStages(extra: Record<string, unknown>, env: Omit<BuildEnv, 'siblings'>, problems: Problems): Promise<BuiltStages> {
  const out: BuiltStages = { guards: { edge: [], authenticate: [], admit: [], validate: [] }, arounds: [], stages: [] };
  for (const c of COMPONENTS) {
    if (!c.load || !(c.namespace in extra)) continue;
    const at = pointerJoin(env.pointer, c.namespace);
    try {
      const runtime = await c.load();
      const stage = await runtime.build(extra[c.namespace], { ...env, pointer: at, siblings: extra });
      if (!stage) continue;
      out.stages.push(stage);
      if (stage.onRequest) out.guards[c.phase ?? 'edge'].push(stage.onRequest);
      if (stage.around) out.arounds.push(stage.around);
    } catch (err) {
      problems.add(at, (err as Error).message);
    }
  }
  return out;
}

/** Composes wrappers so the first listed component is the outermost. */
export function wrapAll(handler: BackendHandler, arounds: BuiltStages['arounds']): BackendHandler {
  let h = handler;
  for (let i = arounds.length - 1; i >= 0; i--) h = arounds[i](h);
  return h;
}

export type GuardRunner = (ctx: RequestContext) => Rejection | undefined | Promise<Rejection | undefined>;

/** One runner over the given phases; null when there is nothing to run (so the hot path skips
 * it). Awaits only guards that really return a promise. */
export function compileGuards(guards: BuiltStages['guards'], phases: readonly Phase[] = PHASES): GuardRunner | null {
  const list: Guard[] = [];
  for (const p of phases) list.push(...guards[p]);
  if (list.length === 0) return null;
  const runFrom = async (ctx: RequestContext, i: number, pending: Promise<Rejection | undefined>): Promise<Rejection | undefined> => {
    const r = await pending;
    if (r) return r;
    for (let j = i; j < list.length; j++) {
      const x = list[j](ctx);
      const y = x instanceof Promise ? await x : x;
      if (y) return y;
    }
    return undefined;
  };
  return (ctx) => {
    for (let i = 0; i < list.length; i++) {
      const r = list[i](ctx);
      if (r instanceof Promise) return runFrom(ctx, i + 1, r);
      if (r) return r;
    }
    return undefined;
  };
}
