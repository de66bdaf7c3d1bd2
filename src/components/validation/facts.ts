// The data-protection engines read plain facts (data-protection/types.ts), not Node objects.
// This adapter builds them from what the pipeline has: at endpoint level from the request
// context (headers after input_headers plus the gateway's own forwarding headers, as the
// backends get them; query after input_query_strings), once per request and only for endpoints
// that use a data-protection namespace (a WeakMap keyed by the context, shared by validation/cel
// and security/policies); at backend level from the upstream request about to be sent.
import type { Answer } from '../../core/answer.js';
import { COMPLETED_HEADER } from '../../core/version.js';
import type { CallInput, Data, UpstreamRequest } from '../../core/backend-result.js';
import type { RequestFacts, ResponseFacts } from '../../data-protection/types.js';
import { compileHeaderFilter } from '../../proxy/forward-headers.js';
import { compileQueryFilter } from '../../proxy/forward-query.js';
import type { EndpointBuildEnv, RequestContext } from '../types.js';

type Lists = Record<string, string[]>;

/** Flat [name, value, ...] to a null-prototype map of lists (names as given). */
export function listsOf(flat: readonly string[]): Lists {
  const out: Lists = Object.create(null);
  for (let i = 0; i < flat.length; i += 2) {
    const k = flat[i];
    (out[k] ??= []).push(flat[i + 1]);
  }
  return out;
}

/** A raw (already encoded) query string to a null-prototype map of lists. */
export function queryOf(raw: string): Lists {
  const out: Lists = Object.create(null);
  if (raw === '') return out;
  for (const [k, v] of new URLSearchParams(raw)) (out[k] ??= []).push(v);
  return out;
}

const cache = new WeakMap<RequestContext, RequestFacts>();

/** The endpoint-level facts builder of one endpoint (compiled at build, memoised per request). */
export function compileRequestFacts(env: EndpointBuildEnv): (ctx: RequestContext) => RequestFacts {
  const headerFilter = compileHeaderFilter(env.endpoint.inputHeaders, env.service.client.disableCompression);
  const queryFilter = compileQueryFilter(env.endpoint.inputQueryStrings);
  return (ctx) => {
    let f = cache.get(ctx);
    if (f) return f;
    let flat = headerFilter.build({ rawHeaders: ctx.req.rawHeaders, clientIp: ctx.clientIp, host: ctx.req.headers.host ?? '' });
    if (ctx.upstreamHeaders) flat = withExtra(flat, ctx.upstreamHeaders);
    f = {
      method: ctx.method,
      path: ctx.path,
      params: ctx.params,
      headers: listsOf(flat),
      query: queryOf(queryFilter ? queryFilter(ctx.rawQuery) : ''),
      body: ctx.body,
      claims: ctx.claims ?? null,
    };
    cache.set(ctx, f);
    return f;
  };
}

/** Endpoint level, from the call input the backends start from (after a lua-proxy `pre` changed
 * it): the same facts as compileRequestFacts, as that script left them. */
export function inputRequestFacts(input: CallInput): RequestFacts {
  const ctx = input.ctx;
  return {
    method: ctx.method,
    path: ctx.path,
    params: input.params,
    headers: listsOf(input.headers),
    query: queryOf(input.query),
    body: input.body,
    claims: ctx.claims ?? null,
  };
}

/** Whether the endpoint's lua-proxy runs a `pre` script: request checks then run after it, on the
 * input it changed (KrakenD's proxy order: Lua proxy -> CEL -> ...). */
export function afterLuaProxyPre(env: EndpointBuildEnv): boolean {
  const lua = env.endpoint.extra['modifier/lua-proxy'] as { pre?: unknown } | undefined;
  return typeof lua?.pre === 'string' && lua.pre.trim() !== '';
}

/** Headers components add (propagated claims) replace the client's of the same name, as in the
 * request the backends get. */
function withExtra(flat: string[], extra: readonly string[]): string[] {
  const names = new Set<string>();
  for (let i = 0; i < extra.length; i += 2) names.add(extra[i]);
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (!names.has(flat[i].toLowerCase())) out.push(flat[i], flat[i + 1]);
  return out.concat(extra);
}

/** Backend level: the backend's method, generated path and the headers and query it gets.
 * (Sequential proxies' `Resp<N>_<field>` params are not added yet: README "Data protection".) */
export function backendRequestFacts(up: UpstreamRequest, input: CallInput): RequestFacts {
  const q = up.path.indexOf('?');
  return {
    method: up.method,
    path: q < 0 ? up.path : up.path.slice(0, q),
    params: input.params,
    headers: listsOf(up.headers),
    query: queryOf(q < 0 ? '' : up.path.slice(q + 1)),
    body: input.body,
    claims: input.ctx.claims ?? null,
  };
}

const EMPTY: Data = Object.freeze({}) as Data;

/** The facts of an answer. KrakenD fills status and headers only for no-op answers (data undefined
 * here), 0 and {} otherwise; `completed` is the gateway's completion header (endpoint) or the
 * absence of a failure (backend). */
export function responseFacts(a: Answer, level: 'endpoint' | 'backend'): ResponseFacts {
  const raw = a.data === undefined;
  let completed = a.failure === undefined;
  if (level === 'endpoint') {
    completed = false;
    for (let i = 0; i < a.headers.length; i += 2) if (a.headers[i] === COMPLETED_HEADER) completed = a.headers[i + 1] === 'true';
  }
  return {
    status: raw ? a.status : 0,
    headers: raw ? listsOf(a.headers.filter((_, i) => a.headers[i - (i % 2)] !== COMPLETED_HEADER)) : Object.create(null),
    data: (a.data as Record<string, unknown>) ?? EMPTY,
    completed,
  };
}
