// The policy macros KrakenD EE documents and that are confirmed: `between` (inclusive, numeric;
// also as a method) and `isEmpty` (missing, null or empty). The other helpers named in
// third-party summaries (hasHeader, getCookie, geoIP, ip helpers, ...) are UNVERIFIED and not
// provided: an expression using one fails the type check, so such a config stops at startup
// instead of running a guess. Not available to validation/cel (EE: "only on Security Policies").
import type { Environment } from '@marcbachmann/cel-js';
import type { Node } from '../cel/ast.js';
import type { Rewriter } from '../cel/compile-expression.js';
import { createEnvironment } from '../cel/environment.js';

const IS_EMPTY_FN = '__rampart_is_empty';

function numeric(v: unknown): v is number | bigint {
  return (
    typeof v === 'bigint' ||
    (typeof v === 'number' && !Number.isNaN(v)) ||
    (typeof v === 'object' && v !== null && 'value' in v && v.constructor?.name === 'UnsignedInt')
  );
}
const num = (v: unknown) => (typeof v === 'object' && v !== null ? (v as { value: number | bigint }).value : (v as number | bigint));

function between(v: unknown, min: unknown, max: unknown): boolean {
  if (!numeric(v) || !numeric(min) || !numeric(max)) throw new Error('between() needs numbers');
  return num(min) <= num(v) && num(v) <= num(max);
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  if (typeof v === 'object' && v.constructor !== Object && Object.getPrototypeOf(v) !== null) return false;
  return typeof v === 'object' ? Object.keys(v).length === 0 : false;
}

export function addMacros(env: Environment): void {
  env.registerFunction('between(dyn, dyn, dyn): bool', between);
  env.registerFunction('dyn.between(dyn, dyn): bool', between);
  env.registerFunction('isEmpty(dyn): bool', isEmpty);
  env.registerFunction(`${IS_EMPTY_FN}(dyn): bool`, isEmpty);
}

let policyEnv: Environment | undefined;
export function policyEnvironment(): Environment {
  return (policyEnv ??= createEnvironment(addMacros));
}

/** isEmpty() of a missing field or key is true, but evaluating the argument would throw first:
 * `isEmpty(m.f)` becomes `!has(m.f) || …`, `isEmpty(m['k'])` becomes `!('k' in m) || …`. */
export const isEmptyRewriter: Rewriter = (n: Node, s) => {
  if (n.op !== 'call' || (n.args as [string])[0] !== 'isEmpty') return undefined;
  const rest = (n.args as [string, Node[]])[1];
  if (rest.length !== 1) return undefined;
  const arg = rest[0];
  const inner = `${IS_EMPTY_FN}(${s(arg)})`;
  if (arg.op === '.') return `(!has(${s(arg)}) || ${inner})`;
  if (arg.op === '[]') {
    const [m, k] = arg.args as [Node, Node];
    if (k.op === 'value' && typeof k.args === 'string') return `(!((${s(k)}) in (${s(m)})) || ${inner})`;
  }
  return inner;
};

/** Functions policies may call beyond the standard library (isEmpty is also rewritten). */
export const MACRO_NAMES = ['between', 'isEmpty'] as const;
