// The cel-js environments, built once per process. Limits bound what an expression may be
// (AST size and depth, literal sizes); what it may cost at run time is bounded by compile-cel.ts
// (no nested comprehensions) together with the size limits on requests and answers.
// cel-js runs `matches()` on V8's backtracking RegExp and will not let it be overridden, so
// compile-cel.ts rewrites every matches() into __rampart_matches(), served here by re2js
// programs compiled at startup from literal patterns only.
import { Environment } from '@marcbachmann/cel-js';
import type { LinearTester } from '../re2/linear-regexp.js';
import { CEL_VARIABLES } from './variables.js';

export const RESERVED_PREFIX = '__rampart_';
export const MATCHES_FN = '__rampart_matches';

export const CEL_LIMITS = {
  maxAstNodes: 1000,
  maxDepth: 48,
  maxListElements: 256,
  maxMapEntries: 256,
  maxCallArguments: 16,
} as const;

/** Literal pattern -> RE2 program; filled at startup only (compile-cel.ts), read per call. */
const PATTERNS = new Map<string, LinearTester>();

export function registerPattern(pattern: string, re: LinearTester): void {
  PATTERNS.set(pattern, re);
}

function matches(input: string, pattern: string): boolean {
  const re = PATTERNS.get(pattern);
  // Unreachable for compiled programs (their patterns are literals registered at startup).
  if (!re) throw new Error('pattern was not compiled at startup');
  return re.test(input);
}

/** Variables and the RE2 matches(); `extend` adds functions (the policy macros). */
export function createEnvironment(extend?: (env: Environment) => void): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false, enableOptionalTypes: false, limits: CEL_LIMITS });
  for (const [name, decl] of Object.entries(CEL_VARIABLES)) env.registerVariable(name, decl.type);
  env.registerFunction(`${MATCHES_FN}(string, string): bool`, matches);
  extend?.(env);
  return env;
}

let celEnv: Environment | undefined;
/** validation/cel: KrakenD's declarations, no extension library. */
export function celEnvironment(): Environment {
  return (celEnv ??= createEnvironment());
}
