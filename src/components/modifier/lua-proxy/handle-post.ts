// Per request: the proxy `post` script on the endpoint's merged answer, before it is encoded
// (endpoint response hook). It acts only on proxied data (not on errors, rejections or no-op
// pass-through bodies): `data` replaces the answer's data, `isComplete` the completion header,
// a status and headers it sets are applied (framing headers and the completion header stay the
// gateway's). custom_error answers the script's status and body; a failure answers 500.
import { answerOf, headerIndex, removeHeader, replaceHeader, type Answer } from '../../../core/answer.js';
import type { Data } from '../../../core/backend-result.js';
import type { GatewayError } from '../../../core/gateway-error.js';
import type { ResponseHook } from '../../../core/request.js';
import { COMPLETED_HEADER } from '../../../core/version.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaResponseModel } from '../../../scripting/lua/types.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import { flatOfMulti, lowerKeys, multiOfFlat, sameMulti } from '../lua-shared/lua-model.js';

function errorAnswer(err: GatewayError): Answer {
  const headers = [COMPLETED_HEADER, 'false'];
  if (err.exposeBody) headers.push('content-type', err.contentType ?? 'text/plain; charset=utf-8');
  const a = answerOf('error', err.status, headers, err.exposeBody && err.body ? err.body : '');
  a.failure = err;
  return a;
}

export function handleProxyPost(lua: CompiledLua, log: Logger): ResponseHook {
  return async (_ctx, answer) => {
    if (answer.origin !== 'proxy' || answer.data === undefined) return;
    const own = answer.headers.filter((_, i, l) => (i % 2 === 0 ? l[i] !== COMPLETED_HEADER : l[i - 1] !== COMPLETED_HEADER));
    const headers = multiOfFlat(own);
    const ci = headerIndex(answer.headers, COMPLETED_HEADER);
    const complete = ci >= 0 ? answer.headers[ci + 1] === 'true' : answer.failure === undefined;
    const model: LuaResponseModel = { status: 0, headers, body: '', data: answer.data as LuaResponseModel['data'], isComplete: complete };
    const r = await lua.runPost(model);
    if (!r.ok) return errorAnswer(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, log, 'modifier/lua-proxy post'));
    const m = r.model;
    answer.data = m.data as Data;
    if (m.status !== 0 && Number.isInteger(m.status) && m.status >= 100 && m.status <= 599) answer.status = m.status;
    const after = lowerKeys(m.headers);
    if (!sameMulti(after, headers)) {
      const completed = ci >= 0 ? answer.headers[ci + 1] : undefined;
      answer.headers = flatOfMulti(after).filter((_, i, l) => l[i - (i % 2)] !== COMPLETED_HEADER);
      if (completed !== undefined) answer.headers.push(COMPLETED_HEADER, completed);
    }
    if (m.isComplete !== complete) {
      replaceHeader(answer.headers, COMPLETED_HEADER, m.isComplete ? 'true' : 'false');
      // An incomplete answer is not cached (answer-of-result sets cache-control only on complete ones).
      if (!m.isComplete) removeHeader(answer.headers, 'cache-control');
    }
  };
}
