// The data-protection engines read plain facts (data-protection/types.ts), not Node objects.
// This adapter builds them from what the pipeline has: at endpoint level from the request
// context (headers after input_headers plus the gateway's own forwarding headers, as the
// backends get them; query after input_query_strings), once per request and only for endpoints
// that use a data-protection namespace (ctx.dataFacts, shared by validation/cel
// and security/policies); at backend level from the upstream request about to be sent.
import type { Answer } from '../../core/answer.js';
import { COMPLETED_HEADER } from '../../core/version.js';
import type { CallInput, Data, UpstreamRequest } from '../../core/backend-result.js';
import { canonicalHeaderLists } from '../../data-protection/cel/activation.js';
import type { RequestFacts, ResponseFacts } from '../../data-protection/types.js';
import { compileHeaderFilter } from '../../proxy/forward-headers.js';
import { compileQueryGroups } from '../../proxy/forward-query.js';
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

type HeaderFilter = ReturnType<typeof compileHeaderFilter>;
type QueryGroups = ReturnType<typeof compileQueryGroups>;

/** The facts of one request, headers and query built on first read: most checks read the method,
 * path or one of the two, and building both lists (the forwarding filter over every raw header,
 * the query parsed twice) was most of a CEL check's cost (issue #20: ~16 µs of ~30 µs per request
 * for three request checks on the bench's json+cel row). */
class LazyRequestFacts implements RequestFacts {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Buffer | null;
  readonly claims: Readonly<Record<string, unknown>> | null;
  #flatHeaders: string[] | undefined;
  #headers: Lists | undefined;
  #canonicalHeaders: Lists | undefined;
  #query: Record<string, readonly string[]> | undefined;
  constructor(
    private readonly ctx: RequestContext,
    private readonly headerFilter: HeaderFilter,
    private readonly queryGroups: QueryGroups,
  ) {
    this.method = ctx.method;
    this.path = ctx.path;
    this.params = ctx.params;
    this.body = ctx.body;
    this.claims = ctx.claims ?? null;
  }
  /** The headers the backends get, as the forwarding filter builds them (once). */
  #flat(): string[] {
    if (this.#flatHeaders === undefined) {
      const ctx = this.ctx;
      const flat = this.headerFilter.build({ rawHeaders: ctx.req.rawHeaders, clientIp: ctx.clientIp, host: ctx.req.headers.host ?? '' });
      this.#flatHeaders = ctx.upstreamHeaders ? withExtra(flat, ctx.upstreamHeaders) : flat;
    }
    return this.#flatHeaders;
  }
  get headers(): Lists {
    return (this.#headers ??= listsOf(this.#flat()));
  }
  /** What CEL's req_headers binds, built in one pass from the flat list (not listsOf and then
   * canonicalised: two maps and a list per header, a third of a header check's cost). */
  get canonicalHeaders(): Lists {
    return (this.#canonicalHeaders ??= canonicalHeaderLists(this.#flat()));
  }
  get query(): Record<string, readonly string[]> {
    if (this.#query === undefined) {
      // The parameters input_query_strings lets through, decoded, keys in Go's order (what the
      // backends get, without encoding and parsing them again).
      // The value lists are the grouping's own, made for this call and only read by the checks:
      // taken as they are (copying each was a quarter of json+cel's check cost).
      const q: Record<string, readonly string[]> = Object.create(null);
      const g = this.queryGroups?.(this.ctx.rawQuery);
      if (g) for (const k of g.keys) q[k] = g.byKey.get(k) ?? [];
      this.#query = q;
    }
    return this.#query;
  }
}

/** The endpoint-level facts builder of one endpoint (compiled at build, memoised per request). */
export function compileRequestFacts(env: EndpointBuildEnv): (ctx: RequestContext) => RequestFacts {
  const headerFilter = compileHeaderFilter(env.endpoint.inputHeaders, env.service.client.disableCompression);
  const queryGroups = compileQueryGroups(env.endpoint.inputQueryStrings);
  return (ctx) => {
    const memo = ctx.dataFacts;
    if (memo instanceof LazyRequestFacts) return memo;
    const f = new LazyRequestFacts(ctx, headerFilter, queryGroups);
    ctx.dataFacts = f;
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
