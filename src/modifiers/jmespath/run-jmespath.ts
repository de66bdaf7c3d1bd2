// Per request: evaluate the compiled expression on the (merged) response data, then copy the
// result into fresh plain JSON within a node budget. The copy is what keeps the library's
// prototype reads (`constructor`, `__proto__` resolve through Object.prototype) and aliasing of
// the input out of the response, and stops a multiselect that fans out exponentially.

import { TreeInterpreter, type JSONValue } from '@jmespath-community/jmespath';
import type { CompiledJmespath } from './compile-jmespath.js';

export type JsonObject = Record<string, unknown>;

export class JmespathRunError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'JmespathRunError';
  }
}

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
  let out: JSONValue;
  try {
    out = TreeInterpreter.search(c.ast, data as JSONValue);
  } catch (e) {
    // Runtime type errors (e.g. a function called on the wrong type): the call fails.
    throw new JmespathRunError(`JMESPath: ${(e as Error)?.message ?? 'evaluation failed'}`);
  }
  return toPlainJson(out);
}

/**
 * KrakenD's output wrappers for data that is not an object: an array goes under `collection`
 * (documented), any other value under `content` (UNVERIFIED: EE docs truncated here).
 */
export function wrapResult(v: unknown): JsonObject {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as JsonObject;
  return Array.isArray(v) ? { collection: v } : { content: v };
}
