// Every regular expression that comes from a config runs on re2js: RE2 semantics (the ones
// KrakenD's Go code uses) and time linear in the input, so no pattern and no input can make a
// worker backtrack. Patterns are compiled at startup; a pattern RE2 cannot compile (lookaround,
// backreferences) is a startup error, never a fallback to V8's RegExp.
import { RE2JS } from 're2js';

export type LinearRegExp = RE2JS;

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
