// `qos/ratelimit/tiered` with `tier_value_as: "policy"` (KrakenD EE): the tier's `tier_value` is
// a security-policy expression over `value`, the tier header's (or claim's) text, e.g.
// `value.matches('User-[a-zA-Z]+')`; the first tier whose expression is true applies. Compiled at
// startup on the policy engine (the policy macros, RE2 matches(), the AST limits); it may read
// only `value` (EE documents nothing else for it), so a request variable is a startup error.
// At run time an evaluation error is "no match" (the next tier is tried), never a pass.
import type { Environment } from '@marcbachmann/cel-js';
import { compileExpression } from '../cel/compile-expression.js';
import { createEnvironment } from '../cel/environment.js';
import { fail } from '../compile-error.js';
import { addMacros, isEmptyRewriter, MACRO_NAMES } from './macros.js';

let tierEnv: Environment | undefined;
function tierEnvironment(): Environment {
  return (tierEnv ??= createEnvironment((env) => {
    addMacros(env);
    env.registerVariable('value', 'string');
  }));
}

/** The tier test for one policy text; throws DataProtectionConfigError at `pointer`. */
export function compileTierPolicy(text: unknown, pointer: string): (value: string) => boolean {
  const c = compileExpression(text, pointer, tierEnvironment(), isEmptyRewriter, MACRO_NAMES);
  if (c.uses.size > 0) fail(pointer, `a tier policy reads only \`value\` (the tier header's text), not ${[...c.uses].sort().join(', ')}`);
  const program = c.program;
  return (value) => {
    try {
      return program({ value }) === true;
    } catch {
      return false;
    }
  };
}
