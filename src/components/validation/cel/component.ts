// `validation/cel`: KrakenD's check_expr, compiled at startup into request, response and JWT
// phases (data-protection/cel). Endpoint level: JWT checks (401) and request checks (500, the
// message as body only with return_error_msg) in the guard; response checks on the proxied
// answer (500). Backend level: request checks before the call and response checks on its
// answer fail that backend only (partial answer). JWT checks run right after the
// authenticators (Stage.onAuthenticated: before Lua and the rate limits, as KrakenD's JWT
// rejecters); request checks after a lua-proxy `pre` when the endpoint has one (README
// "Data protection"). On the direct JSON path the endpoint's response checks run on the Go bytes
// made from the backend's body when they read resp_data by field chains only (cel-go-json.ts).
import { compileCel } from '../../../data-protection/cel/compile-cel.js';
import { compileCelGoJson } from '../../../data-protection/cel/cel-go-json.js';
import { runCelJwt, runCelRequest, runCelResponse } from '../../../data-protection/cel/run-cel.js';
import type { CelConfig, CompiledCel } from '../../../data-protection/cel/types.js';
import { errorResult } from '../../../core/backend-result.js';
import { GatewayError } from '../../../core/gateway-error.js';
import { COMPLETED_HEADER } from '../../../core/version.js';
import { refusal, type BuildEnv, type Rejection, type ResponseHook, type Stage } from '../../types.js';
import { asBuildError } from '../build-error.js';
import { afterLuaProxyPre, backendRequestFacts, compileRequestFacts, inputRequestFacts, responseFacts } from '../facts.js';
import { failBackend, fromBackends, replaceAnswer } from '../replace-answer.js';

const NAME = 'validation/cel';
const TEXT = 'text/plain; charset=utf-8';
const JWT_REJECTION = refusal('auth.jwt.check', NAME, 'JWT check failed', { headers: ['www-authenticate', 'Bearer'] });

function compile(cfg: CelConfig, env: BuildEnv): CompiledCel {
  const level = env.scope === 'backend' ? 'backend' : 'endpoint';
  const jwtValidator = env.scope !== 'service' && env.endpoint.extra['auth/validator'] !== undefined;
  try {
    return compileCel(cfg, env.pointer, { level, jwtValidator });
  } catch (err) {
    throw asBuildError(err, env.pointer);
  }
}

export function build(cfg: CelConfig, env: BuildEnv): Stage | null {
  if (env.scope === 'service') throw new Error('only allowed at endpoint and backend level');
  const c = compile(cfg, env);
  const returnErrorMsg = env.service.router.returnErrorMsg;
  const stage: { -readonly [K in keyof Stage]: Stage[K] } = {};
  if (env.scope === 'backend') {
    if (c.request.checks.length > 0) {
      stage.onUpstreamRequest = (up, input) => {
        const r = runCelRequest(c, backendRequestFacts(up, input));
        return r.ok ? up : errorResult(new GatewayError('backend.check', r.message));
      };
    }
    if (c.response.checks.length > 0) stage.onResponse = responseHook(c, 'backend', returnErrorMsg);
    return stage.onUpstreamRequest || stage.onResponse ? stage : null;
  }
  if (c.jwt.checks.length > 0) stage.onAuthenticated = (ctx) => (runCelJwt(c, ctx.claims ?? null).ok ? undefined : JWT_REJECTION);
  if (c.request.checks.length > 0 && afterLuaProxyPre(env)) {
    // After the lua-proxy `pre` (listed before this component, so its wrapper is outside this
    // one), on the call input it left: the same answer as the guard's refusal below.
    stage.around = (next) => (input) => {
      const r = runCelRequest(c, inputRequestFacts(input));
      if (r.ok) return next(input);
      return Promise.resolve(errorResult(new GatewayError('request.check', r.message, 500)));
    };
  } else if (c.request.checks.length > 0) {
    const facts = compileRequestFacts(env);
    // One frozen rejection per failing index (the message is config-derived, never request data).
    const byIndex = new Map<number, Rejection>();
    const requestRejection = (index: number, message: string, cause: string): Rejection => {
      let x = byIndex.get(index);
      if (x) return x;
      const headers = returnErrorMsg ? [COMPLETED_HEADER, 'false', 'content-type', TEXT] : [COMPLETED_HEADER, 'false'];
      x = refusal('request.check', NAME, `request check #${index}: ${cause}`, { headers, ...(returnErrorMsg ? { body: message } : {}) });
      if (byIndex.size < 64) byIndex.set(index, x);
      return x;
    };
    stage.onRequest = (ctx) => {
      const r = runCelRequest(c, facts(ctx));
      return r.ok ? undefined : requestRejection(r.index, r.message, r.cause);
    };
  }
  if (c.response.checks.length > 0) {
    stage.onResponse = responseHook(c, 'endpoint', returnErrorMsg);
    // The same checks on the direct JSON path's Go bytes (issue #16): the route is not decoded.
    stage.rewriteGoJson = compileCelGoJson(c);
  }
  return stage.onRequest || stage.onResponse || stage.onAuthenticated || stage.around ? stage : null;
}

function responseHook(c: CompiledCel, level: 'endpoint' | 'backend', returnErrorMsg: boolean): ResponseHook {
  return (_ctx, a) => {
    if (!fromBackends(a)) return undefined;
    const r = runCelResponse(c, responseFacts(a, level));
    if (r.ok) return undefined;
    const body = returnErrorMsg ? r.message : '';
    return level === 'backend'
      ? failBackend(a, 'response.invalid', r.message, 500, body, TEXT)
      : replaceAnswer(a, 'response.invalid', r.message, 500, body, TEXT);
  };
}
