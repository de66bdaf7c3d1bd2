// Per request: the checks of one phase in order; the first that is false, not a bool, or throws
// aborts (cel-go semantics; a missing map key throws, as in fixture cel-2). The caller maps the
// abort: endpoint request/response phase -> 500 (body `message` only with return_error_msg),
// backend -> that backend's part fails (partial answer, circuit-breaker failure), JWT -> 401.
import type { RequestFacts, ResponseFacts } from '../types.js';
import { jwtActivation, requestActivation, responseActivation } from './activation.js';
import type { CelOutcome, CelPhase, CompiledCel, CompiledPhase } from './types.js';

const OK: CelOutcome = { ok: true };

export function evaluatePhase(p: CompiledPhase, phase: CelPhase, activation: Record<string, unknown>, label = 'evaluator'): CelOutcome {
  for (let i = 0; i < p.checks.length; i++) {
    let cause: string;
    try {
      const r: unknown = p.checks[i].program(activation);
      if (r === true) continue;
      cause = typeof r === 'boolean' ? 'false' : `returned ${typeof r}, not bool`;
    } catch (e) {
      // The error's code only (no_such_key, int_conversion_error...): messages may quote values.
      const code = (e as { code?: unknown })?.code;
      cause = `evaluation error (${typeof code === 'string' ? code : 'unknown'})`;
    }
    return { ok: false, phase, index: i, message: `request aborted by ${label} #${i}`, cause };
  }
  return OK;
}

export function runCelRequest(c: CompiledCel, facts: RequestFacts, now?: Date): CelOutcome {
  if (c.request.checks.length === 0) return OK;
  return evaluatePhase(c.request, 'request', requestActivation(facts, c.request.uses, now));
}

export function runCelResponse(c: CompiledCel, facts: ResponseFacts, now?: Date): CelOutcome {
  if (c.response.checks.length === 0) return OK;
  return evaluatePhase(c.response, 'response', responseActivation(facts, c.response.uses, now));
}

/** Inside auth/validator, after the token verified (a rejecter: abort -> 401). */
export function runCelJwt(c: CompiledCel, claims: Readonly<Record<string, unknown>> | null, now?: Date): CelOutcome {
  if (c.jwt.checks.length === 0) return OK;
  return evaluatePhase(c.jwt, 'jwt', jwtActivation(claims, c.jwt.uses, now));
}

/** KrakenD's answer to an abort, for the adapter: a status, or 'skip' for a backend's part. */
export function celAbortAnswer(level: 'endpoint' | 'backend', phase: CelPhase): 500 | 401 | 'skip' {
  if (phase === 'jwt') return 401;
  return level === 'backend' ? 'skip' : 500;
}
