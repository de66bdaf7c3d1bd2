// Startup for `modifier/jmespath` (endpoint, backend, workflow; EE in KrakenD): `{"expr": "..."}`.
// The expression is parsed once here; unknown functions (which the library only reports when it
// runs) and amplifying calls are refused here too, so no request meets a bad expression.

import { compile, getRegisteredFunctions } from '@jmespath-community/jmespath';

type ExpressionNode = ReturnType<typeof compile>;
import { MartianConfigError } from '../martian/types.js';

export interface CompiledJmespath {
  readonly expr: string;
  readonly ast: ExpressionNode;
}

const MAX_EXPR = 8192;
const MAX_DEPTH = 32;
/** pad_left/pad_right allocate their width: only a literal width up to this is allowed. */
const MAX_PAD = 65536;
const COMMENT = /^[@$_#]/;

function err(pointer: string, reason: string): never {
  throw new MartianConfigError(pointer, reason);
}

/**
 * Multiselects chained through pipes or flattens multiply the data (`[@,@][] | [@,@][]` is 4
 * copies, 30 such links would be 2^30): the product of every multiselect's width is bounded.
 * The library cannot be interrupted, so this and the size budget are what bound a call.
 */
const MAX_FANOUT = 65536;

/** Walks the AST (not into literals) checking depth, fan-out and every function call. */
function check(node: unknown, depth: number, fan: { product: number }, known: ReadonlySet<string>, at: string): void {
  if (node === null || typeof node !== 'object') return;
  if (depth > MAX_DEPTH) err(at, `expression nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(node)) {
    for (const n of node) check(n, depth + 1, fan, known, at);
    return;
  }
  const n = node as Record<string, unknown>;
  if (n.type === 'Literal') return;
  if ((n.type === 'MultiSelectList' || n.type === 'MultiSelectHash') && Array.isArray(n.children)) {
    fan.product *= Math.max(1, n.children.length);
    if (fan.product > MAX_FANOUT) err(at, `multiselects could copy the data more than ${MAX_FANOUT} times`);
  }
  if (n.type === 'Function') {
    const name = String(n.name);
    if (!known.has(name)) err(at, `unknown JMESPath function ${name}()`);
    if (name === 'pad_left' || name === 'pad_right') {
      const width = (n.children as Array<Record<string, unknown>> | undefined)?.[1];
      if (width?.type !== 'Literal' || typeof width.value !== 'number' || width.value > MAX_PAD) {
        err(at, `${name}() needs a literal width of at most ${MAX_PAD} (it allocates that much per call)`);
      }
    }
  }
  for (const [k, v] of Object.entries(n)) if (k !== 'type' && k !== 'name') check(v, depth + 1, fan, known, at);
}

/** Compiles `{"expr": "..."}`; throws MartianConfigError with `pointer` on a bad value. */
export function compileJmespath(cfg: unknown, pointer = ''): CompiledJmespath {
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) err(pointer, 'modifier/jmespath must be an object {"expr": "..."}');
  const o = cfg as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'expr' && !COMMENT.test(k)) err(`${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, `modifier/jmespath has no "${k}" (only "expr")`);
  const at = `${pointer}/expr`;
  if (o.expr === undefined) err(pointer, 'modifier/jmespath needs "expr"');
  if (typeof o.expr !== 'string' || o.expr.trim() === '') err(at, '"expr" must be a non-empty string');
  if (o.expr.length > MAX_EXPR) err(at, `"expr" is longer than ${MAX_EXPR} characters`);
  let ast: ExpressionNode;
  try {
    ast = compile(o.expr);
  } catch (e) {
    return err(at, `invalid JMESPath expression: ${(e as Error)?.message ?? 'syntax error'}`);
  }
  check(ast, 0, { product: 1 }, new Set(getRegisteredFunctions()), at);
  return { expr: o.expr, ast };
}
