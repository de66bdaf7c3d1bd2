// Per request: the backend `pre` script on the upstream HTTP request. The script sees the full
// URL, headers (Go canonical names), query, body and lura-named params; what it returns becomes
// the request sent. `custom_error` answers instead of the backend; any other failure is a 500
// failure of this backend (counted by the circuit breaker, which wraps this call).
import { dataResult, errorResult, type CallInput, type UpstreamRequest, type UpstreamRequestHook } from '../../../core/backend-result.js';
import { GatewayError } from '../../../core/gateway-error.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaRequestModel } from '../../../scripting/lua/types.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import { bodyAfter, bodyText, flatOfMulti, lowerKeys, luraParams, multiOfFlat, multiOfQuery, queryOfMulti, sameMulti } from '../lua-shared/lua-model.js';
import { addPropagated, compilePropagated } from './propagated.js';

export interface PreOptions {
  /** This backend's origins: the only ones a script may point the URL at. */
  readonly origins: ReadonlySet<string>;
  readonly propagated: readonly string[];
  readonly log: Logger;
}

function split(path: string): { path: string; query: string } {
  const q = path.indexOf('?');
  return q < 0 ? { path, query: '' } : { path: path.slice(0, q), query: path.slice(q + 1) };
}

export function handlePre(lua: CompiledLua, opts: PreOptions): UpstreamRequestHook {
  const propagated = compilePropagated(opts.propagated);
  const skipped = () => dataResult({}, true);
  if (!lua.hasPre) return skipped;
  return async (req: UpstreamRequest, input: CallInput) => {
    const parts = split(req.path);
    const { params } = luraParams(input.params);
    if (propagated.length > 0) addPropagated(params, propagated, input);
    const text = bodyText(req.body);
    const model: LuaRequestModel = {
      method: req.method,
      url: req.origin + req.path,
      path: parts.path,
      query: multiOfQuery(parts.query),
      headers: multiOfFlat(req.headers),
      body: text,
      params,
    };
    const r = await lua.runPre(model);
    if (!r.ok) return errorResult(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, opts.log, 'modifier/lua-backend pre'));
    if (lua.skipNext) return skipped();
    const m = r.model;
    // url, path and query are separate fields of the model: the URL (the script's, else the
    // built one) gives origin, path and query; a path or query the script set replaces its part.
    let u: URL;
    try {
      u = new URL(m.url);
    } catch {
      return errorResult(new GatewayError('lua.failed', 'Lua script set an invalid backend URL', 500));
    }
    // Zero trust: a script cannot send the request to a host its backend does not declare.
    if (!opts.origins.has(u.origin)) return errorResult(new GatewayError('lua.failed', 'Lua script pointed the backend URL at an undeclared host', 500));
    const urlChanged = m.url !== model.url;
    let pathname = urlChanged ? u.pathname : parts.path;
    let search = urlChanged ? u.search.slice(1) : parts.query;
    if (m.path !== model.path) pathname = m.path.startsWith('/') ? m.path : '/' + m.path;
    if (!sameMulti(m.query, model.query)) search = queryOfMulti(m.query);
    const origin = u.origin;
    const path = pathname + (search ? '?' + search : '');
    const method = /^[A-Z]{1,16}$/.test(m.method) ? m.method : req.method;
    return {
      ...req,
      method,
      origin,
      path,
      headers: sameMulti(lowerKeys(m.headers), model.headers) ? req.headers : flatOfMulti(m.headers),
      body: bodyAfter(req.body, text, m.body),
    };
  };
}
