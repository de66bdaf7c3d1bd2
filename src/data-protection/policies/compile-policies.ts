// `security/policies` (EE; endpoint and backend) at startup: each section's policies are CEL on
// the same variables as validation/cel, each section bound to its phase (req: request
// variables, resp: response variables, jwt: JWT) plus `now`. A policy that references another
// phase's variables, or fails to compile, stops startup with its pointer.
import type { Environment } from '@marcbachmann/cel-js';
import { compileExpression } from '../cel/compile-expression.js';
import { phaseOf } from '../cel/compile-cel.js';
import { celEnvironment } from '../cel/environment.js';
import type { CelPhase, CompiledExpression } from '../cel/types.js';
import { CEL_VARIABLES } from '../cel/variables.js';
import { fail, pointerJoin } from '../compile-error.js';
import { POLICY_MACRO_NAMES, policyEnvironment, policyRewriter } from './macros.js';
import type { CompiledPolicies, CompiledSection, PoliciesCompileContext, PoliciesConfig } from './types.js';

export const MAX_POLICIES = 64;
const SECTIONS = { req: 'request', resp: 'response', jwt: 'jwt' } as const satisfies Record<string, CelPhase>;

function compileSection(key: keyof typeof SECTIONS, section: unknown, pointer: string, env: Environment, autoJoin: boolean, macros: boolean): CompiledSection {
  const at = pointerJoin(pointer, key);
  if (!section || typeof section !== 'object') fail(at, 'must be an object with "policies"');
  const { policies, error } = section as { policies?: unknown; error?: { status?: unknown; body?: unknown; content_type?: unknown } };
  const listAt = pointerJoin(at, 'policies');
  if (!Array.isArray(policies) || policies.length === 0) fail(listAt, 'policies must be a non-empty list of expressions');
  if (policies.length > MAX_POLICIES) fail(listAt, `more than ${MAX_POLICIES} policies`);
  const phase = SECTIONS[key];
  const compile = (text: unknown, p: string): CompiledExpression => {
    const c = compileExpression(text, p, env, macros ? policyRewriter : undefined, macros ? POLICY_MACRO_NAMES : []);
    // Variables of no phase (`now` only) belong to whichever section holds the policy.
    const foreign = [...c.uses].filter((u) => u !== 'now' && phaseOfVariable(u) !== phase);
    if (foreign.length) fail(p, `${key} policies run in the ${phase} phase, where ${foreign.join(', ')} is not available`);
    return { ...c, phase };
  };
  let checks = policies.map((text, i) => compile(text, pointerJoin(listAt, i)));
  // One expression for the section (KrakenD: faster, harder to debug); each part compiled
  // above on its own first, so a failure names its own pointer.
  if (autoJoin && checks.length > 1) checks = [compile(policies.map((p) => `(${p as string})`).join(' && '), listAt)];
  let status = key === 'jwt' ? 401 : 500;
  let body = '';
  let contentType = 'text/plain';
  if (error !== undefined) {
    if (key === 'jwt') fail(pointerJoin(at, 'error'), 'a failing jwt policy always answers 401: error is not configurable');
    if (error.status !== undefined) {
      if (!Number.isInteger(error.status) || (error.status as number) < 100 || (error.status as number) > 599)
        fail(pointerJoin(at, 'error', 'status'), 'status must be an HTTP status (100-599)');
      status = error.status as number;
    }
    if (error.body !== undefined) {
      if (typeof error.body !== 'string') fail(pointerJoin(at, 'error', 'body'), 'body must be a string');
      body = error.body;
    }
    if (error.content_type !== undefined) {
      if (typeof error.content_type !== 'string' || /[\r\n]/.test(error.content_type) || !error.content_type)
        fail(pointerJoin(at, 'error', 'content_type'), 'content_type must be a one-line string');
      contentType = error.content_type;
    }
  }
  return { phase: phaseOf(checks), status, body, contentType };
}

function phaseOfVariable(name: string): string {
  return CEL_VARIABLES[name].phase;
}

export function compilePolicies(config: PoliciesConfig, pointer: string, ctx: PoliciesCompileContext): CompiledPolicies {
  if (!config || typeof config !== 'object') fail(pointer, 'security/policies must be an object');
  if (!config.req && !config.resp && !config.jwt) fail(pointer, 'needs at least one of req, resp or jwt');
  if (config.jwt) {
    if (ctx.level === 'backend') fail(pointerJoin(pointer, 'jwt'), 'jwt policies are endpoint-only');
    if (!ctx.jwtValidator) fail(pointerJoin(pointer, 'jwt'), 'jwt policies need auth/validator on this endpoint (KrakenD would skip them silently)');
  }
  const macros = config.disable_macros !== true;
  const env = macros ? policyEnvironment() : celEnvironment();
  const autoJoin = config.auto_join_policies === true;
  const section = (k: keyof typeof SECTIONS) => (config[k] ? compileSection(k, config[k], pointer, env, autoJoin, macros) : null);
  return { req: section('req'), resp: section('resp'), jwt: section('jwt'), debug: config.debug === true, returnDetailedErrors: ctx.returnDetailedErrors };
}
