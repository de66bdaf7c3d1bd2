// Per request: a section's policies in order; the first that is false, not a bool, or throws
// fails the section with its configured error. error.body reaches the client only when the
// router allows detailed errors; it (or the default reason) always goes to `log`.
import { jwtActivation, requestActivation, responseActivation } from '../cel/activation.js';
import { evaluatePhase } from '../cel/run-cel.js';
import type { CelOutcome } from '../cel/types.js';
import type { RequestFacts, ResponseFacts } from '../types.js';
import type { CompiledPolicies, CompiledSection, PolicyOutcome } from './types.js';

const OK: PolicyOutcome = { ok: true };

function outcome(p: CompiledPolicies, s: CompiledSection, r: CelOutcome): PolicyOutcome {
  if (r.ok) return OK;
  const reason = s.body || r.message;
  const jwt = r.phase === 'jwt';
  return {
    ok: false,
    status: s.status,
    body: jwt || !p.returnDetailedErrors ? '' : reason,
    contentType: s.contentType,
    index: r.index,
    log: `${reason} (${r.cause})`,
    ...(p.debug ? { policy: s.phase.checks[r.index].source } : {}),
  };
}

export function runRequestPolicies(p: CompiledPolicies, facts: RequestFacts, now?: Date): PolicyOutcome {
  if (!p.req) return OK;
  return outcome(p, p.req, evaluatePhase(p.req.phase, 'request', requestActivation(facts, p.req.phase.uses, now), 'policy'));
}

export function runResponsePolicies(p: CompiledPolicies, facts: ResponseFacts, now?: Date): PolicyOutcome {
  if (!p.resp) return OK;
  return outcome(p, p.resp, evaluatePhase(p.resp.phase, 'response', responseActivation(facts, p.resp.phase.uses, now), 'policy'));
}

/** Inside auth/validator after the token verified: failure -> 401, no body. */
export function runJwtPolicies(p: CompiledPolicies, claims: Readonly<Record<string, unknown>> | null, now?: Date): PolicyOutcome {
  if (!p.jwt) return OK;
  return outcome(p, p.jwt, evaluatePhase(p.jwt.phase, 'jwt', jwtActivation(claims, p.jwt.phase.uses, now), 'policy'));
}
