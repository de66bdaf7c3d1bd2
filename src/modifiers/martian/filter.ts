// Go's filter.Filter: a condition, a `modifier` run when it holds and an optional `else` run
// when it does not. The nested modifiers keep their own scopes: a child with no request part
// is a no-op on requests, as in martian (noop when RequestModifier() is nil).

import { applyScope, checkKeys, fail, ptr, type Obj } from './compile-fields.js';
import type { CompiledModifier, MutableRequest, MutableResponse, NodeCompiler, ResponseStep, RequestStep } from './types.js';

export interface Condition {
  readonly request: (req: MutableRequest) => boolean;
  readonly response: (res: MutableResponse, req: MutableRequest) => boolean;
}

/** `keys` are the filter's own fields; `modifier`, `else` (when allowed) and `scope` are added. */
export function buildFilter(
  cfg: Obj,
  at: string,
  name: string,
  child: NodeCompiler,
  keys: readonly string[],
  cond: Condition,
  hasElse = true,
): CompiledModifier {
  checkKeys(cfg, at, name, [...keys, 'modifier', 'scope', ...(hasElse ? ['else'] : [])]);
  if (!hasElse && cfg.else !== undefined) fail(ptr(at, 'else'), `${name} has no "else" (KrakenD ignores it silently)`);
  if (cfg.modifier === undefined) fail(at, `${name} needs "modifier"`);
  const whenTrue = child(cfg.modifier, ptr(at, 'modifier'));
  const whenFalse = cfg.else !== undefined ? child(cfg.else, ptr(at, 'else')) : null;
  const tq = whenTrue.request;
  const fq = whenFalse?.request ?? null;
  const ts = whenTrue.response;
  const fs = whenFalse?.response ?? null;
  const request: RequestStep = (req) => {
    if (cond.request(req)) return tq ? tq(req) : undefined;
    return fq ? fq(req) : undefined;
  };
  const response: ResponseStep = (res, req) => {
    if (cond.response(res, req)) return ts ? ts(res, req) : undefined;
    return fs ? fs(res, req) : undefined;
  };
  return applyScope({ request, response }, cfg, at, name);
}
