// Per request: the lua-endpoint `pre` script on `ctx`. What it may change: headers (set or added
// ones reach the backends, replacing the client's of the same name, through ctx.upstreamHeaders),
// the query string the backends get, and the path params. Routing is done, so changes to the
// method, URL, path or host are not applied; a header the script deletes is not removed.
import { refusal, type Guard, type Rejection, type RequestContext } from '../../../core/request.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaRequestModel } from '../../../scripting/lua/types.js';
import { customStatus, failureOf } from '../lua-shared/lua-errors.js';
import { flatOfMulti, gatewayParams, lowerKeys, luraParams, multiOfQuery, queryOfMulti, sameMulti } from '../lua-shared/lua-model.js';
import type { LuaMultiMap } from '../../../scripting/lua/types.js';

const COMPONENT = 'modifier/lua-endpoint';
const FAILED = refusal('lua.failed', COMPONENT, 'script failed', { status: 500 });
const BUSY = refusal('lua.busy', COMPONENT, 'every Lua VM busy');

function clientHeaders(ctx: RequestContext): LuaMultiMap {
  const out: LuaMultiMap = {};
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) (out[raw[i].toLowerCase()] ??= []).push(raw[i + 1]);
  return out;
}

export function handleCtx(lua: CompiledLua, log: Logger): Guard {
  return async (ctx): Promise<Rejection | undefined> => {
    const { params, back } = luraParams(ctx.params);
    const headers = clientHeaders(ctx);
    const model: LuaRequestModel = {
      method: ctx.method,
      url: ctx.path + (ctx.rawQuery ? '?' + ctx.rawQuery : ''),
      path: ctx.path,
      query: multiOfQuery(ctx.rawQuery),
      headers,
      body: '',
      params,
      host: ctx.req.headers.host ?? '',
    };
    const r = await lua.runPre(model);
    if (!r.ok) {
      if (r.kind === 'custom_error') {
        const h = ['content-type', r.contentType ?? 'text/plain; charset=utf-8'];
        return refusal('lua.custom_error', COMPONENT, 'custom_error', { status: customStatus(r.status), body: r.body, headers: h });
      }
      failureOf(r, log, 'modifier/lua-endpoint pre');
      return r.reason === 'busy' ? BUSY : FAILED;
    }
    const m = r.model;
    const after = lowerKeys(m.headers);
    if (!sameMulti(after, headers)) {
      const set: LuaMultiMap = {};
      for (const [k, v] of Object.entries(after)) {
        const was = headers[k];
        if (!was || was.length !== v.length || was.some((x, i) => x !== v[i])) set[k] = v;
      }
      const extra = flatOfMulti(set);
      if (extra.length > 0) ctx.upstreamHeaders = (ctx.upstreamHeaders ?? []).filter((_, i, l) => !Object.hasOwn(set, l[i - (i % 2)])).concat(extra);
    }
    if (!sameMulti(m.query, model.query)) (ctx as { rawQuery: string }).rawQuery = queryOfMulti(m.query);
    const p = gatewayParams(m.params, back);
    if (Object.keys(p).length > 0 || Object.keys(ctx.params).length > 0) ctx.params = p;
    return undefined;
  };
}
