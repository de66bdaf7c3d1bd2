// Every regular expression that comes from a config runs on re2js: RE2 semantics (the ones
// KrakenD's Go code uses) and time linear in the input, so no pattern and no input can make a
// worker backtrack. Patterns are compiled at startup; a pattern RE2 cannot compile (lookaround,
// backreferences) is a startup error, never a fallback to V8's RegExp.
import { RE2JS } from 're2js';

export type LinearRegExp = RE2JS;

/** A compiled pattern that only answers "does it match anywhere" (ajv `pattern`, CEL matches()). */
export interface LinearTester {
  test(input: string): boolean;
}

/** Longest pattern accepted from a config (RE2 programs grow with the pattern). */
export const MAX_PATTERN_LENGTH = 4096;

/** Compiles a pattern or returns why it cannot be (the caller adds the pointer). */
export function compileLinear(pattern: string): LinearRegExp | string {
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    return `pattern ${JSON.stringify(pattern)} is not valid RE2 syntax: ${(e as Error).message}`;
  }
}

/**
 * Like compileLinear, for patterns that are only ever tested (never asked for positions or
 * groups). re2js runs an anchored pattern (`^...$`, the usual schema and CEL form) on its
 * one-pass engine, which tracks capture positions even when none are asked for; its DFA answers
 * the same yes/no 2-4x faster (measured on the bench's patterns: 0.35-1.07 µs -> 0.18-0.35 µs).
 * The one-pass program is dropped from this private instance, so test() goes to re2js's own next
 * engine: the DFA, and where the DFA gives up (its state budget) the bounded backtracker or the
 * NFA. All of them are linear in the input, and the answer is the same (same program).
 * `re2().onepass` is re2js internals: if a version moves it, nothing is dropped and test() stays
 * correct, only slower (test/data-protection/linear-regexp.test.ts notices).
 */
export function compileLinearTester(pattern: string): LinearTester | string {
  const re = compileLinear(pattern);
  if (typeof re === 'string') return re;
  const inner = (re as unknown as { re2?: () => { onepass?: unknown } }).re2?.();
  if (inner && 'onepass' in inner) inner.onepass = null;
  return re;
}

/** Whether compileLinearTester could route this pattern past the one-pass engine (for the test). */
export function testerSkipsOnePass(t: LinearTester): boolean {
  const inner = (t as unknown as { re2?: () => { onepass?: unknown } }).re2?.();
  return inner !== undefined && 'onepass' in inner && inner.onepass === null;
}
