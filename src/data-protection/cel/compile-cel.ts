// `validation/cel` (endpoint and backend): every check_expr compiled at startup and filed into
// its phase. KrakenD drops expressions that fail (fail-open); here each failure stops startup.
import { fail, pointerJoin } from '../compile-error.js';
import { compileExpression } from './compile-expression.js';
import { celEnvironment } from './environment.js';
import type { CelCompileContext, CompiledCel, CompiledExpression, CompiledPhase, CelPhase } from './types.js';

export const MAX_CHECKS = 64;

export function phaseOf(checks: CompiledExpression[]): CompiledPhase {
  const uses = new Set<string>();
  for (const c of checks) for (const u of c.uses) uses.add(u);
  return { checks, uses };
}

export function compileCel(config: unknown, pointer: string, ctx: CelCompileContext): CompiledCel {
  if (!Array.isArray(config) || config.length === 0) fail(pointer, 'validation/cel must be a non-empty list of {"check_expr": "..."}');
  if (config.length > MAX_CHECKS) fail(pointer, `more than ${MAX_CHECKS} expressions`);
  const env = celEnvironment();
  const by: Record<CelPhase, CompiledExpression[]> = { request: [], response: [], jwt: [] };
  config.forEach((item: unknown, i) => {
    const at = pointerJoin(pointer, i);
    if (!item || typeof item !== 'object' || Array.isArray(item)) fail(at, 'each item must be an object {"check_expr": "..."}');
    for (const key of Object.keys(item)) {
      // mod_expr exists in krakend-cel's struct but nothing evaluates it; the v2.13 schema refuses it.
      if (key !== 'check_expr' && !/^[@$_#]/.test(key)) fail(pointerJoin(at, key), `unknown field ${JSON.stringify(key)} (only check_expr)`);
    }
    const compiled = compileExpression((item as { check_expr?: unknown }).check_expr, pointerJoin(at, 'check_expr'), env);
    if (compiled.phase === 'jwt') {
      if (ctx.level === 'backend') fail(compiled.pointer, 'JWT is not available at backend level (KrakenD binds it only in the endpoint JWT validator)');
      if (!ctx.jwtValidator) fail(compiled.pointer, 'a JWT expression needs auth/validator on this endpoint (KrakenD would skip it silently)');
    }
    by[compiled.phase].push(compiled);
  });
  return { level: ctx.level, request: phaseOf(by.request), response: phaseOf(by.response), jwt: phaseOf(by.jwt) };
}
