// Backend-level response hooks (Stage.onResponse at backend scope): they run inside the backend
// handler on what that backend produced, as an Answer, and what they return becomes the
// backend's result. A hook that turns the answer into an error (status >= 400, no data) fails
// that backend only, so a multi-backend endpoint answers partially, as configured.
import type { Answer } from '../core/answer.js';
import { dataResult, errorResult, rawResult, type BackendHandler, type BackendResult } from '../core/backend-result.js';
import { GatewayError } from '../core/gateway-error.js';
import type { RequestContext, ResponseHook } from '../core/request.js';
import type { Logger } from '../observability/logger.js';
import type { StageEntry } from './build-stages.js';

function answerOf(r: BackendResult): Answer {
  if (r.kind === 'raw')
    return { status: r.raw.status, headers: r.raw.headers.slice(), data: undefined, body: r.raw.body, origin: 'proxy', failure: undefined, close: false };
  if (r.kind === 'error')
    return { status: r.error.status, headers: [], data: undefined, body: r.error.body ?? '', origin: 'error', failure: r.error, close: false };
  return { status: 200, headers: [], data: r.data, body: '', origin: 'proxy', failure: r.error, close: false };
}

function resultOf(before: BackendResult, a: Answer): BackendResult {
  if (a.data !== undefined) return dataResult(a.data, before.kind === 'data' ? before.complete : false, a.failure);
  if (before.kind === 'raw' && a.status < 400 && typeof a.body !== 'string')
    return rawResult({ ...before.raw, status: a.status, headers: a.headers, body: a.body });
  if (a.failure && a.status === a.failure.status) return errorResult(a.failure);
  const body = typeof a.body === 'string' ? Buffer.from(a.body) : Buffer.isBuffer(a.body) ? a.body : undefined;
  let contentType: string | undefined;
  for (let i = 0; i < a.headers.length; i += 2) if (a.headers[i] === 'content-type') contentType = a.headers[i + 1];
  return errorResult(new GatewayError('backend.hook', 'refused by a backend response hook', a.status >= 400 ? a.status : 500, body, contentType));
}

async function runAll(hooks: readonly ResponseHook[], ctx: RequestContext, r: BackendResult): Promise<BackendResult> {
  let a = answerOf(r);
  for (let i = hooks.length - 1; i >= 0; i--) {
    const x = await hooks[i](ctx, a);
    if (x !== undefined) a = x;
  }
  return resultOf(r, a);
}

/** The wrapper running a backend's hooks, or null when it has none. */
export function withBackendHooks(entries: readonly StageEntry[], log: Logger): ((next: BackendHandler) => BackendHandler) | null {
  const hooks = entries.flatMap((e) => (e.hook ? [e.hook] : []));
  if (hooks.length === 0) return null;
  return (next) => async (input) => {
    const r = await next(input);
    try {
      return await runAll(hooks, input.ctx, r);
    } catch (err) {
      log.error({ err: { message: (err as Error)?.message }, path: input.ctx.path }, 'backend response hook failed');
      return errorResult(new GatewayError('backend.hook', 'backend response hook failed'));
    }
  };
}
