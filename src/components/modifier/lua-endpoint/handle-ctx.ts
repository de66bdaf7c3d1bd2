// Per request: the lua-endpoint `pre` script on `ctx`. What it may change: headers (set or added
// ones reach the backends, replacing the client's of the same name, through ctx.upstreamHeaders),
// the query string the backends get, and the path params. Routing is done, so changes to the
// method, URL, path or host are not applied; a header the script deletes is not removed.
import { refusal, type Guard, type Rejection, type RequestContext } from '../../../core/request.js';
import type { Logger } from '../../../observability/logger.js';
import type { CompiledLua, LuaRequestModel } from '../../../scripting/lua/types.js';
import { canonMap, withHeaderSet } from '../../../scripting/lua/lua-models.js';
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

/** The request a lua-endpoint script sees: headers, query and params converted when it reads them. */
class EndpointRequestModel implements LuaRequestModel {
  readonly body = '';
  private h: LuaMultiMap | undefined;
  private q: LuaMultiMap | undefined;
  private p: ReturnType<typeof luraParams> | undefined;
  constructor(private readonly ctx: RequestContext) {}
  get method(): string {
    return this.ctx.method;
  }
  get url(): string {
    return this.ctx.path + (this.ctx.rawQuery ? '?' + this.ctx.rawQuery : '');
  }
  get path(): string {
    return this.ctx.path;
  }
  get host(): string {
    return this.ctx.req.headers.host ?? '';
  }
  get headers(): LuaMultiMap {
    return (this.h ??= clientHeaders(this.ctx));
  }
  get query(): LuaMultiMap {
    return (this.q ??= multiOfQuery(this.ctx.rawQuery));
  }
  get lura(): ReturnType<typeof luraParams> {
    return (this.p ??= luraParams(this.ctx.params));
  }
  get params(): Record<string, string> {
    return this.lura.params;
  }
}

export function handleCtx(lua: CompiledLua, log: Logger): Guard {
  return async (ctx): Promise<Rejection | undefined> => {
    const model = new EndpointRequestModel(ctx);
    const r = await lua.runPre(model);
    if (!r.ok) {
      if (r.kind === 'custom_error') {
        const h = ['content-type', r.contentType ?? 'text/plain; charset=utf-8'];
        return refusal('lua.custom_error', COMPONENT, 'custom_error', { status: customStatus(r.status), body: r.body, headers: h });
      }
      failureOf(r, log, 'modifier/lua-endpoint pre');
      return r.reason === 'busy' ? BUSY : FAILED;
    }
    const c = r.changes;
    let after: LuaMultiMap | undefined;
    if (c.headers !== undefined) after = lowerKeys(c.headers);
    else if (c.headerSet !== undefined) after = lowerKeys(withHeaderSet(canonMap(model.headers), c.headerSet));
    if (after !== undefined && !sameMulti(after, model.headers)) {
      const headers = model.headers;
      const set: LuaMultiMap = {};
      for (const [k, v] of Object.entries(after)) {
        const was = headers[k];
        if (!was || was.length !== v.length || was.some((x, i) => x !== v[i])) set[k] = v;
      }
      const extra = flatOfMulti(set);
      if (extra.length > 0) ctx.upstreamHeaders = (ctx.upstreamHeaders ?? []).filter((_, i, l) => !Object.hasOwn(set, l[i - (i % 2)])).concat(extra);
    }
    if (c.query !== undefined && !sameMulti(c.query, model.query)) (ctx as { rawQuery: string }).rawQuery = queryOfMulti(c.query);
    if (c.params !== undefined) {
      const p = gatewayParams(c.params, model.lura.back);
      if (Object.keys(p).length > 0 || Object.keys(ctx.params).length > 0) ctx.params = p;
    }
    return undefined;
  };
}
