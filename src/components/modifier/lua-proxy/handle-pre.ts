// Per request: the proxy `pre` script on the endpoint's call input, before the backends are
// called (and before their merge). The URL and method are the endpoint's (routing is done):
// changes to them are not applied, as `url` is "" at this level in KrakenD too. Each part of the
// input is converted for the script only when it reads it, and only what it changed is applied.
import { dataResult, errorResult, type BackendHandler, type CallInput } from '../../../core/backend-result.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaMultiMap, LuaRequestChanges, LuaRequestModel } from '../../../scripting/lua/types.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import {
  bodyAfter,
  bodyText,
  flatOfMulti,
  flatWithSet,
  gatewayParams,
  lowerKeys,
  luraParams,
  multiOfFlat,
  multiOfQuery,
  queryOfMulti,
  sameMulti,
} from '../lua-shared/lua-model.js';

/** The request a proxy `pre` script sees, over the endpoint's call input. */
class ProxyRequestModel implements LuaRequestModel {
  readonly url = '';
  private q: LuaMultiMap | undefined;
  private h: LuaMultiMap | undefined;
  private p: ReturnType<typeof luraParams> | undefined;
  private b: string | undefined;
  constructor(private readonly input: CallInput) {}
  get method(): string {
    return this.input.ctx.method;
  }
  get path(): string {
    return this.input.ctx.path;
  }
  get query(): LuaMultiMap {
    return (this.q ??= multiOfQuery(this.input.query));
  }
  get headers(): LuaMultiMap {
    return (this.h ??= multiOfFlat(this.input.headers));
  }
  /** lura's param names, and the way back to the gateway's. */
  get lura(): ReturnType<typeof luraParams> {
    return (this.p ??= luraParams(this.input.params));
  }
  get params(): Record<string, string> {
    return this.lura.params;
  }
  get body(): string {
    return (this.b ??= bodyText(this.input.body));
  }
}

/** The call input after the script's changes (the same object when it changed nothing). */
function applied(input: CallInput, model: ProxyRequestModel, c: LuaRequestChanges): CallInput {
  const params = c.params !== undefined ? gatewayParams(c.params, model.lura.back) : input.params;
  const query = c.query !== undefined && !sameMulti(c.query, model.query) ? queryOfMulti(c.query) : input.query;
  let headers = input.headers;
  if (c.headers !== undefined) {
    if (!sameMulti(lowerKeys(c.headers), model.headers)) headers = flatOfMulti(c.headers);
  } else if (c.headerSet !== undefined) headers = flatWithSet(input.headers, c.headerSet);
  const body = c.body !== undefined ? bodyAfter(input.body, model.body, c.body) : input.body;
  if (params === input.params && query === input.query && headers === input.headers && body === input.body) return input;
  return { ...input, params, query, headers, body };
}

export function handleProxyPre(lua: CompiledLua, log: Logger): (next: BackendHandler) => BackendHandler {
  return (next) => {
    if (!lua.hasPre) return async () => dataResult({}, true);
    return async (input: CallInput) => {
      const model = new ProxyRequestModel(input);
      const r = await lua.runPre(model);
      if (!r.ok) return errorResult(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, log, 'modifier/lua-proxy pre'));
      if (lua.skipNext) return dataResult({}, true);
      return next(applied(input, model, r.changes));
    };
  };
}
