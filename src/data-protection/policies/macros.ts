// The policy macros KrakenD EE documents and that are confirmed: `between` (inclusive, numeric;
// also as a method), `isEmpty` (missing, null or empty), and `getCookie(name)` (KrakenD's own EE
// playground uses `getCookie('GDPR') == 'yes'` on an endpoint forwarding `Cookie`: the value of
// that cookie in the request's forwarded Cookie headers, "" when absent). The other helpers named
// in third-party summaries (hasHeader, geoIP, ip helpers, ...) are UNVERIFIED and not provided:
// an expression using one fails the type check, so such a config stops at startup instead of
// running a guess. Not available to validation/cel (EE: "only on Security Policies").
import type { Environment } from '@marcbachmann/cel-js';
import type { Node } from '../cel/ast.js';
import type { Rewriter } from '../cel/compile-expression.js';
import { createEnvironment } from '../cel/environment.js';

const IS_EMPTY_FN = '__rampart_is_empty';
const GET_COOKIE_FN = '__rampart_get_cookie';

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

/** The value of cookie `name` in the Cookie header lines (RFC 6265 §5.4 pairs split on ";",
 * the first "=" separating name from value; a double-quoted value loses its quotes, as Go's
 * net/http reads it); "" when no pair has that exact (case-sensitive) name. */
export function cookieValue(lines: readonly string[] | undefined, name: string): string {
  if (!lines) return '';
  for (const line of lines) {
    let at = 0;
    while (at <= line.length) {
      let end = line.indexOf(';', at);
      if (end === -1) end = line.length;
      const eq = line.indexOf('=', at);
      if (eq !== -1 && eq < end && line.slice(at, eq).trim() === name) {
        const v = line.slice(eq + 1, end).trim();
        return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
      }
      at = end + 1;
    }
  }
  return '';
}

function getCookie(headers: unknown, name: unknown): string {
  if (typeof name !== 'string') throw new Error('getCookie() needs a cookie name');
  const h = headers as Record<string, readonly string[]> | undefined;
  return cookieValue(h?.Cookie, name);
}

export function addMacros(env: Environment): void {
  env.registerFunction('between(dyn, dyn, dyn): bool', between);
  env.registerFunction('dyn.between(dyn, dyn): bool', between);
  env.registerFunction('isEmpty(dyn): bool', isEmpty);
  env.registerFunction(`${IS_EMPTY_FN}(dyn): bool`, isEmpty);
}

/** getCookie() reads the request's headers: only where `req_headers` is a variable. */
function addRequestMacros(env: Environment): void {
  addMacros(env);
  env.registerFunction(`${GET_COOKIE_FN}(map<string, list<string>>, string): string`, getCookie);
}

let policyEnv: Environment | undefined;
export function policyEnvironment(): Environment {
  return (policyEnv ??= createEnvironment(addRequestMacros));
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

/** `getCookie(name)` -> `__rampart_get_cookie(req_headers, name)`: the expression then reads
 * req_headers, so it is a request-phase expression (a resp or jwt policy using it is refused). */
const getCookieRewriter: Rewriter = (n: Node, s) => {
  if (n.op !== 'call' || (n.args as [string])[0] !== 'getCookie') return undefined;
  const rest = (n.args as [string, Node[]])[1];
  if (rest.length !== 1) return undefined; // the type check refuses it
  return `${GET_COOKIE_FN}(req_headers, ${s(rest[0])})`;
};

/** The rewrites of `security/policies` expressions. */
export const policyRewriter: Rewriter = (n, s) => isEmptyRewriter(n, s) ?? getCookieRewriter(n, s);

/** Functions tier policies may call beyond the standard library (isEmpty is also rewritten). */
export const MACRO_NAMES = ['between', 'isEmpty'] as const;
/** ... and `security/policies`, which also have the request's headers. */
export const POLICY_MACRO_NAMES = [...MACRO_NAMES, 'getCookie'] as const;
