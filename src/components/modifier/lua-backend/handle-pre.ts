// Per request: the backend `pre` script on the upstream HTTP request. The script sees the full
// URL, headers (Go canonical names), query, body and lura-named params; what it changed is
// applied to the request sent (parts it left alone are sent as they were, unconverted).
// `custom_error` answers instead of the backend; any other failure is a 500 failure of this
// backend (counted by the circuit breaker, which wraps this call).
import { dataResult, errorResult, type CallInput, type UpstreamRequest, type UpstreamRequestHook } from '../../../core/backend-result.js';
import { GatewayError } from '../../../core/gateway-error.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaRequestChanges } from '../../../scripting/lua/types.js';
import { customErrorOf, failureOf } from '../lua-shared/lua-errors.js';
import { bodyAfter, flatOfMulti, flatWithSet, lowerKeys, multiOfFlat, queryOfMulti, sameMulti } from '../lua-shared/lua-model.js';
import { compilePropagated } from './propagated.js';
import { BackendRequestModel } from './request-model.js';

export interface PreOptions {
  /** This backend's origins: the only ones a script may point the URL at. */
  readonly origins: ReadonlySet<string>;
  readonly propagated: readonly string[];
  readonly log: Logger;
}

const invalidUrl = () => errorResult(new GatewayError('lua.failed', 'Lua script set an invalid backend URL', 500));

/** The request to send after the script's changes, or a failure. */
function applied(req: UpstreamRequest, model: BackendRequestModel, c: LuaRequestChanges, origins: ReadonlySet<string>) {
  // url, path and query are separate fields of the model: the URL (the script's, else the
  // request's) gives origin, path and query; a path or query the script set replaces its part.
  let origin = req.origin;
  let pathname = model.path;
  let search = model.rawQuery;
  if (c.url !== undefined && c.url !== model.url) {
    let u: URL;
    try {
      u = new URL(c.url);
    } catch {
      return invalidUrl();
    }
    // Zero trust: a script cannot send the request to a host its backend does not declare.
    if (!origins.has(u.origin)) return errorResult(new GatewayError('lua.failed', 'Lua script pointed the backend URL at an undeclared host', 500));
    origin = u.origin;
    pathname = u.pathname;
    search = u.search.slice(1);
  }
  if (c.path !== undefined && c.path !== model.path) pathname = c.path.startsWith('/') ? c.path : '/' + c.path;
  if (c.query !== undefined && !sameMulti(c.query, model.query)) search = queryOfMulti(c.query);
  let headers = req.headers;
  if (c.headers !== undefined) {
    if (!sameMulti(lowerKeys(c.headers), multiOfFlat(req.headers))) headers = flatOfMulti(c.headers);
  } else if (c.headerSet !== undefined) headers = flatWithSet(req.headers, c.headerSet);
  const method = c.method !== undefined && /^[A-Z]{1,16}$/.test(c.method) ? c.method : req.method;
  const path = pathname + (search ? '?' + search : '');
  const body = c.body !== undefined ? bodyAfter(req.body, model.body, c.body) : req.body;
  if (origin === req.origin && path === req.path && headers === req.headers && method === req.method && body === req.body) return req;
  return { ...req, method, origin, path, headers, body };
}

export function handlePre(lua: CompiledLua, opts: PreOptions): UpstreamRequestHook {
  const propagated = compilePropagated(opts.propagated);
  const skipped = () => dataResult({}, true);
  if (!lua.hasPre) return skipped;
  return (req: UpstreamRequest, input: CallInput) => {
    const model = new BackendRequestModel(req, input, propagated);
    const done = (r: Awaited<ReturnType<CompiledLua['runPre']>>) => {
      if (!r.ok) return errorResult(r.kind === 'custom_error' ? customErrorOf(r) : failureOf(r, opts.log, 'modifier/lua-backend pre'));
      if (lua.skipNext) return skipped();
      return applied(req, model, r.changes, opts.origins);
    };
    // Synchronous when the call ran at once (no promise of our own on the hot path).
    const r = lua.runPre(model);
    return r instanceof Promise ? r.then(done) : done(r);
  };
}
