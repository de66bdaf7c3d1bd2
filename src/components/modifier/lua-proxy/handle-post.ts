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
import type { CompiledLua, LuaMultiMap, LuaResponseModel } from '../../../scripting/lua/types.js';
import { canonMap, dataAfter, withHeaderSet } from '../../../scripting/lua/lua-models.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import { flatOfMulti, lowerKeys, multiOfFlat, sameMulti } from '../lua-shared/lua-model.js';

function errorAnswer(err: GatewayError): Answer {
  const headers = [COMPLETED_HEADER, 'false'];
  if (err.exposeBody) headers.push('content-type', err.contentType ?? 'text/plain; charset=utf-8');
  const a = answerOf('error', err.status, headers, err.exposeBody && err.body ? err.body : '');
  a.failure = err;
  return a;
}

/** The answer a proxy `post` script sees: its headers (without the completion header) are
 * converted only when the script reads them. */
class ProxyResponseModel implements LuaResponseModel {
  readonly status = 0;
  readonly body = '';
  private h: LuaMultiMap | undefined;
  constructor(
    private readonly flat: readonly string[],
    readonly data: LuaResponseModel['data'],
    readonly isComplete: boolean,
  ) {}
  get headers(): LuaMultiMap {
    return (this.h ??= multiOfFlat(this.flat.filter((_, i, l) => (i % 2 === 0 ? l[i] !== COMPLETED_HEADER : l[i - 1] !== COMPLETED_HEADER))));
  }
}

export function handleProxyPost(lua: CompiledLua, log: Logger): ResponseHook {
  return async (_ctx, answer) => {
    if (answer.origin !== 'proxy' || answer.data === undefined) return;
    const ci = headerIndex(answer.headers, COMPLETED_HEADER);
    const complete = ci >= 0 ? answer.headers[ci + 1] === 'true' : answer.failure === undefined;
    const model = new ProxyResponseModel(answer.headers, answer.data as LuaResponseModel['data'], complete);
    const r = await lua.runPost(model);
    if (!r.ok) return errorAnswer(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, log, 'modifier/lua-proxy post'));
    const c = r.changes;
    answer.data = dataAfter(model.data, c) as Data;
    if (c.status !== undefined && c.status !== 0 && Number.isInteger(c.status) && c.status >= 100 && c.status <= 599) answer.status = c.status;
    let after: LuaMultiMap | undefined;
    if (c.headers !== undefined) after = lowerKeys(c.headers);
    else if (c.headerSet !== undefined) after = lowerKeys(withHeaderSet(canonMap(model.headers), c.headerSet));
    if (after !== undefined && !sameMulti(after, model.headers)) {
      const completed = ci >= 0 ? answer.headers[ci + 1] : undefined;
      answer.headers = flatOfMulti(after).filter((_, i, l) => l[i - (i % 2)] !== COMPLETED_HEADER);
      if (completed !== undefined) answer.headers.push(COMPLETED_HEADER, completed);
    }
    const isComplete = c.isComplete ?? complete;
    if (isComplete !== complete) {
      replaceHeader(answer.headers, COMPLETED_HEADER, isComplete ? 'true' : 'false');
      // An incomplete answer is not cached (answer-of-result sets cache-control only on complete ones).
      if (!isComplete) removeHeader(answer.headers, 'cache-control');
    }
  };
}
