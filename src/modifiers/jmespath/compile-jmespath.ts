// Startup for `modifier/jmespath` (endpoint, backend, workflow; EE in KrakenD): `{"expr": "..."}`.
// The expression is parsed once here with the reference parser (`jmespath`, the specification
// go-jmespath implements); unknown functions and wrong arities, which the parser accepts, are
// refused here too, so no request meets a bad expression.

import jmespath from 'jmespath';
import { FUNCTIONS } from './jmes-functions.js';

type ExpressionNode = unknown;
import { MartianConfigError } from '../martian/types.js';

export interface CompiledJmespath {
  readonly expr: string;
  readonly ast: ExpressionNode;
}

const MAX_EXPR = 8192;
/** The interpreter recurses per AST level: keep the stack shallow. */
const MAX_DEPTH = 64;
const COMMENT = /^[@$_#]/;

function err(pointer: string, reason: string): never {
  throw new MartianConfigError(pointer, reason);
}

/** Walks the AST (not into literals) checking depth and every function call. */
function check(node: unknown, depth: number, at: string): void {
  if (node === null || typeof node !== 'object') return;
  if (depth > MAX_DEPTH) err(at, `expression nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(node)) {
    for (const n of node) check(n, depth + 1, at);
    return;
  }
  const n = node as { type?: string; name?: string; children?: unknown[] };
  if (n.type === 'Literal') return;
  if (n.type === 'Function') {
    const fn = FUNCTIONS.get(String(n.name));
    if (!fn) err(at, `unknown JMESPath function ${String(n.name)}()`);
    const argc = n.children?.length ?? 0;
    if (argc < fn.arity[0] || argc > fn.arity[1]) {
      err(at, `${String(n.name)}() takes ${fn.arity[0] === fn.arity[1] ? fn.arity[0] : `at least ${fn.arity[0]}`} argument(s), got ${argc}`);
    }
  }
  for (const [k, v] of Object.entries(n)) if (k !== 'type' && k !== 'name') check(v, depth + 1, at);
}

/** Compiles `{"expr": "..."}`; throws MartianConfigError with `pointer` on a bad value. */
export function compileJmespath(cfg: unknown, pointer = ''): CompiledJmespath {
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) err(pointer, 'modifier/jmespath must be an object {"expr": "..."}');
  const o = cfg as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'expr' && !COMMENT.test(k)) err(`${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, `modifier/jmespath has no "${k}" (only "expr")`);
  const at = `${pointer}/expr`;
  if (o.expr === undefined) err(pointer, 'modifier/jmespath needs "expr"');
  if (typeof o.expr !== 'string' || o.expr.trim() === '') err(at, '"expr" must be a non-empty string');
  if (o.expr.length > MAX_EXPR) err(at, `"expr" is longer than ${MAX_EXPR} characters`);
  let ast: ExpressionNode;
  try {
    ast = jmespath.compile(o.expr);
  } catch (e) {
    return err(at, `invalid JMESPath expression: ${(e as Error)?.message ?? 'syntax error'}`);
  }
  check(ast, 0, at);
  return { expr: o.expr, ast };
}
