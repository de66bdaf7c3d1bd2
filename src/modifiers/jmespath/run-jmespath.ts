// Per request: evaluate the compiled expression on the (merged) response data within a step
// budget, then copy the result into fresh plain JSON within a node budget (the copy keeps the
// response from aliasing the input, and stops a result whose shared references fan out).

import type { CompiledJmespath } from './compile-jmespath.js';
import { JmespathRunError } from './jmes-errors.js';
import { Interpreter } from './interpret.js';
import type { Json } from './jmes-functions.js';

export { JmespathRunError };

export type JsonObject = Record<string, unknown>;

const MAX_NODES = 1_000_000;
const MAX_DEPTH = 512;

/** Deep copy to plain JSON; functions and prototypes become null/{}; throws past the budget. */
export function toPlainJson(v: unknown, budget = { left: MAX_NODES }, depth = 0): unknown {
  if (--budget.left < 0) throw new JmespathRunError('JMESPath result exceeds the size limit');
  if (depth > MAX_DEPTH) throw new JmespathRunError('JMESPath result nested too deep');
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'object':
      break;
    default:
      return null;
  }
  if (Array.isArray(v)) return v.map((x) => toPlainJson(x, budget, depth + 1));
  if (v === Object.prototype) return {};
  const out: JsonObject = {};
  for (const k of Object.keys(v as object)) {
    Object.defineProperty(out, k, { value: toPlainJson((v as JsonObject)[k], budget, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The raw JMESPath result as plain JSON. Throws JmespathRunError on a runtime error. */
export function runJmespath(c: CompiledJmespath, data: unknown): unknown {
  // Type errors and the step budget throw JmespathRunError: the call fails.
  return toPlainJson(new Interpreter().visit(c.ast, data as Json));
}

/**
 * KrakenD's output wrappers for data that is not an object: an array goes under `collection`
 * (documented), any other value under `content` (UNVERIFIED: EE docs truncated here).
 */
export function wrapResult(v: unknown): JsonObject {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as JsonObject;
  return Array.isArray(v) ? { collection: v } : { content: v };
}
