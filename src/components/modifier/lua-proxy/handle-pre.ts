// Per request: the proxy `pre` script on the endpoint's call input, before the backends are
// called (and before their merge). The URL and method are the endpoint's (routing is done):
// changes to them are not applied, as `url` is "" at this level in KrakenD too.
import { dataResult, errorResult, type BackendHandler, type CallInput } from '../../../core/backend-result.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaRequestModel } from '../../../scripting/lua/types.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import {
  bodyAfter,
  bodyText,
  flatOfMulti,
  gatewayParams,
  lowerKeys,
  luraParams,
  multiOfFlat,
  multiOfQuery,
  queryOfMulti,
  sameMulti,
} from '../lua-shared/lua-model.js';

export function handleProxyPre(lua: CompiledLua, log: Logger): (next: BackendHandler) => BackendHandler {
  return (next) => {
    if (!lua.hasPre) return async () => dataResult({}, true);
    return async (input: CallInput) => {
      const { params, back } = luraParams(input.params);
      const text = bodyText(input.body);
      const model: LuaRequestModel = {
        method: input.ctx.method,
        url: '',
        path: input.ctx.path,
        query: multiOfQuery(input.query),
        headers: multiOfFlat(input.headers),
        body: text,
        params,
      };
      const r = await lua.runPre(model);
      if (!r.ok) return errorResult(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, log, 'modifier/lua-proxy pre'));
      if (lua.skipNext) return dataResult({}, true);
      const m = r.model;
      const changed: CallInput = {
        ...input,
        params: gatewayParams(m.params, back),
        query: sameMulti(m.query, model.query) ? input.query : queryOfMulti(m.query),
        headers: sameMulti(lowerKeys(m.headers), model.headers) ? input.headers : flatOfMulti(m.headers),
        body: bodyAfter(input.body, text, m.body),
      };
      return next(changed);
    };
  };
}
