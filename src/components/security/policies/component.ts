// `security/policies` (EE): req, resp and jwt policies compiled at startup on the CEL engine
// plus the policy macros (data-protection/policies). Endpoint level: jwt policies (401, no body)
// right after authentication (Stage.onAuthenticated), req policies (error.status, 500 by
// default) in the admit guard, resp policies on the proxied
// answer. Backend level: req policies before the call and resp policies on its answer fail that
// backend only. error.body reaches the client only with router.return_error_msg (Rampart's
// reading of EE's detailed errors); the failing policy goes to the log (with `debug`, its text:
// config, never request data).
import { compilePolicies } from '../../../data-protection/policies/compile-policies.js';
import { runJwtPolicies, runRequestPolicies, runResponsePolicies } from '../../../data-protection/policies/run-policies.js';
import type { CompiledPolicies, PoliciesConfig, PolicyOutcome } from '../../../data-protection/policies/types.js';
import { errorResult } from '../../../core/backend-result.js';
import { GatewayError } from '../../../core/gateway-error.js';
import { COMPLETED_HEADER } from '../../../core/version.js';
import type { Logger } from '../../../observability/logger.js';
import { refusal, type BuildEnv, type Guard, type ResponseHook, type Stage } from '../../types.js';
import { asBuildError } from '../../validation/build-error.js';
import { backendRequestFacts, compileRequestFacts, responseFacts } from '../../validation/facts.js';
import { failBackend, fromBackends, replaceAnswer } from '../../validation/replace-answer.js';

const NAME = 'security/policies';
const JWT_REJECTION = refusal('auth.jwt.check', NAME, 'jwt policy failed', { headers: ['www-authenticate', 'Bearer'] });

type Failed = Extract<PolicyOutcome, { ok: false }>;

function logFailure(log: Logger, p: CompiledPolicies, where: string, r: Failed): void {
  if (p.debug) log.info({ endpoint: where, policy: r.policy, reason: r.log }, 'policy failed');
  else if (log.isLevelEnabled('debug')) log.debug({ endpoint: where, reason: r.log }, 'policy failed');
}

export function build(cfg: PoliciesConfig, env: BuildEnv): Stage | null {
  if (env.scope === 'service') throw new Error('only allowed at endpoint and backend level');
  const level = env.scope === 'backend' ? 'backend' : 'endpoint';
  let p: CompiledPolicies;
  try {
    p = compilePolicies(cfg, env.pointer, {
      level,
      jwtValidator: env.endpoint.extra['auth/validator'] !== undefined,
      returnDetailedErrors: env.service.router.returnErrorMsg,
    });
  } catch (err) {
    throw asBuildError(err, env.pointer);
  }
  const where = `${env.endpoint.method} ${env.endpoint.path}`;
  const log = env.log;
  const stage: Stage = {};
  if (p.resp) stage.onResponse = responseHook(p, level, log, where);
  if (env.scope === 'backend') {
    if (p.req) {
      stage.onUpstreamRequest = (up, input) => {
        const r = runRequestPolicies(p, backendRequestFacts(up, input));
        if (r.ok) return up;
        logFailure(log, p, where, r);
        return errorResult(new GatewayError('backend.check', r.log, r.status, r.body ? Buffer.from(r.body) : undefined, r.body ? r.contentType : undefined));
      };
    }
    return stage.onUpstreamRequest || stage.onResponse ? stage : null;
  }
  const facts = p.req ? compileRequestFacts(env) : null;
  if (p.jwt) {
    // Right after the authenticators (KrakenD's JWT rejecters), before Lua and the rate limits.
    stage.onAuthenticated = (ctx) => {
      const j = runJwtPolicies(p, ctx.claims ?? null);
      if (j.ok) return undefined;
      logFailure(log, p, where, j);
      return JWT_REJECTION;
    };
  }
  if (facts) {
    const guard: Guard = (ctx) => {
      const r = runRequestPolicies(p, facts(ctx));
      if (r.ok) return undefined;
      logFailure(log, p, where, r);
      const headers = r.body ? [COMPLETED_HEADER, 'false', 'content-type', r.contentType] : [COMPLETED_HEADER, 'false'];
      return refusal('request.check', NAME, `req policy #${r.index}`, { status: r.status, headers, ...(r.body ? { body: r.body } : {}) });
    };
    stage.onRequest = guard;
  }
  return stage.onRequest || stage.onResponse || stage.onAuthenticated ? stage : null;
}

function responseHook(p: CompiledPolicies, level: 'endpoint' | 'backend', log: Logger, where: string): ResponseHook {
  const fail = level === 'backend' ? failBackend : replaceAnswer;
  return (_ctx, a) => {
    if (!fromBackends(a)) return undefined;
    const r = runResponsePolicies(p, responseFacts(a, level));
    if (r.ok) return undefined;
    logFailure(log, p, where, r);
    return fail(a, 'response.invalid', r.log, r.status, r.body, r.contentType);
  };
}
