// Compiles one backend object into a handler: build the URL, call the upstream, decode, shape.
// Everything that can be computed from config is computed here, once.
import type { Pool } from 'undici';
import type { BackendConfig, UpstreamClientOptions } from '../config/types.js';
import { GatewayError, toGatewayError } from '../core/gateway-error.js';
import type { ErrorCode } from '../core/error-codes.js';
import { callUpstream, type UpstreamRequest } from '../proxy/call-upstream.js';
import { compileBackendHeaderFilter } from '../proxy/forward-headers.js';
import { compileBackendQueryFilter } from '../proxy/forward-query.js';
import { BodyTooLargeError, decodeContent, discardBody, readUpstreamBody } from '../proxy/read-body.js';
import type { CancelSignal } from '../core/call-signal.js';
import type { UpstreamPools } from '../proxy/upstream-pools.js';
import { compileUrlTemplate, UNSAFE_VALUE } from '../proxy/url-template.js';
import { headerValue } from '../proxy/upstream-exchange.js';
import { compileBackendShaper } from '../shaping/backend-shaper.js';
import { compileDecoder } from './decode.js';
import { canonicalGoJson } from '../encoding/json-go-canon.js';
import type { UpstreamHooks } from './build-stages.js';
import {
  dataResult,
  errorResult,
  failureOf,
  rawResult,
  type BackendHandler,
  type BackendResult,
  type CallInput,
  type UpstreamResponse,
} from '../core/backend-result.js';
import { CallSignal } from '../core/call-signal.js';

/** Upstream bodies larger than this are refused (the gateway buffers non-no-op bodies). */
export const MAX_UPSTREAM_BODY = 32 * 1024 * 1024;
/** no-op answers up to this size (with a Content-Length) are read whole and written in one go;
 * header and body then leave in one packet, measurably faster than piping. */
export const NOOP_BUFFERED_BODY = 64 * 1024;

export interface BackendCompileEnv {
  pools: UpstreamPools;
  client: UpstreamClientOptions;
  /** True when the gateway itself added Accept-Encoding: gzip (then it must undo it). */
  addsGzip: boolean;
  /** Send the request body chunked (KrakenD behaviour) rather than with Content-Length. */
  chunkedBody: boolean;
}

/** Runs a backend's HTTP-level hooks around one upstream exchange (request hooks in order,
 * response hooks in reverse); a hook answering with a result ends the exchange there. */
async function exchangeWithHooks(
  hooks: UpstreamHooks,
  up: UpstreamRequest,
  input: CallInput,
  send: (up: UpstreamRequest) => Promise<UpstreamResponse>,
): Promise<UpstreamResponse | BackendResult> {
  let req = up;
  let answered: UpstreamResponse | undefined;
  for (const h of hooks.request) {
    const r = await h(req, input);
    if ('kind' in r) return r;
    // Answered without sending (martian skip.RoundTrip): the response hooks still run on it.
    if ('status' in r) {
      answered = r;
      break;
    }
    req = r;
  }
  let res = answered ?? (await send(req));
  for (let i = hooks.response.length - 1; i >= 0; i--) {
    const r = await hooks.response[i](res, req, input);
    if ('kind' in r) return r;
    res = r;
  }
  return res;
}

/** The headers with the gateway's trace context: a client's own traceparent/tracestate
 * (forwarded by input_headers) give way to it. One new array per request (with OTel). */
function withTraceContext(h: string[], trace: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < h.length; i += 2) {
    const k = h[i];
    if (k !== 'traceparent' && k !== 'tracestate') out.push(k, h[i + 1]);
  }
  for (let i = 0; i < trace.length; i++) out.push(trace[i]);
  return out;
}

function fail(code: ErrorCode, message: string, status?: number, body?: Buffer, contentType?: string): BackendResult {
  return errorResult(new GatewayError(code, message, status, body, contentType));
}

/** A backend's parts, for an endpoint whose backends have nothing around them (see
 * compile-endpoint's direct path): the same request building, pools and decoding as `call`, for
 * a caller that runs the exchange from undici's callbacks instead of through promises. */
export interface DirectBackend {
  prepare(input: CallInput): UpstreamRequest | BackendResult;
  pools: ReadonlyMap<string, Pool>;
  /** The result of the backend's answer (decoded and shaped, or passed through for no-op); a
   * promise only when the answer needs asynchronous work (gzip, an error body's details). */
  finish(res: UpstreamResponse, signal: CancelSignal): BackendResult | Promise<BackendResult>;
  /** `encoding: no-op`: the answer is passed through (and may be streamed). */
  readonly noop: boolean;
  /** For a backend whose data is its JSON object as it is (`encoding: json`, no collection, no
   * target/allow/deny/mapping/group/flatmap): `finish`, except that an answer it would decode is
   * answered as the bytes Go's encoding/json writes for that data when canonicalGoJson can make
   * them from the body directly (see compile-endpoint's `directJson`). Null for other backends. */
  readonly finishGoJson: ((res: UpstreamResponse, signal: CancelSignal) => Buffer | BackendResult | Promise<BackendResult>) | null;
}

export interface CompiledBackend {
  call: BackendHandler;
  /** Set for backends without HTTP-level hooks that need the exchange runner. */
  direct: DirectBackend | null;
}

export async function compileBackend(
  b: BackendConfig,
  env: BackendCompileEnv,
  hooks: UpstreamHooks = { request: [], response: [], rewrites: [] },
): Promise<CompiledBackend> {
  // Only plain rewrites (e.g. martian header/query modifiers): applied in `prepare`, synchronously,
  // so the backend keeps the direct path and no exchange goes through the hook runner.
  const rewrites = hooks.response.length === 0 && hooks.rewrites.length === hooks.request.length ? hooks.rewrites : [];
  const hooked = rewrites.length === 0 && (hooks.request.length > 0 || hooks.response.length > 0);
  const origins = b.hosts;
  // sd "dns": the SRV name's live set (resolved in the background); its pool map is live too.
  const srv = b.srv ? await env.pools.forSrv(b.srv.name, b.srv.scheme) : undefined;
  const pools: Map<string, Pool> = srv ? srv.pools : new Map<string, Pool>();
  if (!srv) for (const h of origins) pools.set(new URL(h).origin, env.pools.forOrigin(new URL(h).origin));
  const originList = [...pools.keys()];
  let rr = Math.floor(Math.random() * originList.length);
  const noHosts = srv ? `no hosts available for ${b.srv?.name ?? ''} (sd dns) ${b.method} ${b.urlPattern}` : '';
  const buildPath = compileUrlTemplate(b.urlPattern);
  const hasFixedQuery = b.urlPattern.includes('?');
  const headerFilter = compileBackendHeaderFilter(b.inputHeaders);
  const queryFilter = compileBackendQueryFilter(b.inputQueryStrings);
  const decode = await compileDecoder(b.encoding, b.isCollection);
  const shape = compileBackendShaper({ target: b.target, allow: b.allow, deny: b.deny, mapping: b.mapping, group: b.group, flatmap: b.flatmap });
  const noop = b.encoding === 'no-op';
  const method = b.method;
  const label = `[${method} ${b.urlPattern}]`;
  const detailsKey = b.returnErrorDetails ? `error_${b.returnErrorDetails}` : undefined;

  async function statusErrorResult(res: UpstreamResponse, signal: CancelSignal): Promise<BackendResult> {
    const message = `invalid status code ${res.status} ${label}: ${res.url}`;
    const ctype = headerValue(res.headers, 'content-type');
    if (!detailsKey && !b.returnErrorCode) {
      discardBody(res.body);
      return fail('backend.failed', message);
    }
    let body: Buffer;
    try {
      body = await readUpstreamBody(res.body, MAX_UPSTREAM_BODY);
    } catch (err) {
      return errorResult(toGatewayError(err, signal));
    }
    if (detailsKey) {
      const detail = { http_status_code: res.status, http_body: body.toString('utf8'), http_body_encoding: ctype ?? '' };
      return dataResult({ [detailsKey]: detail }, false);
    }
    return fail('backend.failed', message, res.status, body, ctype);
  }

  /** The upstream request for `input`, or a failed result (a placeholder without a value). */
  function prepare(input: CallInput): UpstreamRequest | BackendResult {
    const built = buildPath({ params: input.params, responses: input.responses, claims: input.ctx.claims });
    if (built === undefined) return fail('backend.placeholder', `missing value for a placeholder in ${label}`);
    if (built === UNSAFE_VALUE) return fail('backend.unsafe_param', `invalid path parameter`);
    let path = built;
    const q = queryFilter ? queryFilter(input.query) : input.query;
    if (q) path += (hasFixedQuery ? '&' : '?') + q;
    const origin = srv ? srv.pick() : originList.length === 1 ? originList[0] : originList[(rr = (rr + 1) % originList.length)];
    if (origin === undefined) return fail('backend.no_hosts', noHosts);
    const filtered = headerFilter ? headerFilter(input.headers) : input.headers;
    const headers = input.traceHeaders ? withTraceContext(filtered, input.traceHeaders) : filtered;
    let up: UpstreamRequest = {
      method,
      origin,
      path,
      headers,
      body: input.body,
      chunked: env.chunkedBody,
      signal: input.signal,
      // no-op answers are passed through: small ones whole, large ones streamed. Others are
      // decoded, so read whole, bounded.
      limit: noop ? NOOP_BUFFERED_BODY : MAX_UPSTREAM_BODY,
      streamLarge: noop,
    };
    if (input.connTiming !== undefined) up.timing = input.connTiming;
    for (const rw of rewrites) up = rw(up);
    return up;
  }

  /** Decoded and shaped data of a body read whole. */
  function decoded(buf: Buffer): BackendResult {
    let data = decode(buf.toString('utf8'));
    if (shape) data = shape(data);
    return dataResult(data, true);
  }

  function decodeFailed(err: unknown, signal: CancelSignal): BackendResult {
    if (err instanceof BodyTooLargeError) return fail('backend.too_large', `backend response too large ${label}`);
    return errorResult(toGatewayError(err, signal));
  }

  async function inflatedResult(buf: Buffer, enc: string, signal: CancelSignal): Promise<BackendResult> {
    try {
      return decoded(await decodeContent(buf, enc, MAX_UPSTREAM_BODY));
    } catch (err) {
      return decodeFailed(err, signal);
    }
  }

  /** The result of the backend's answer. Synchronous for the common case (a whole body, no
   * content-encoding to undo), so the direct path adds no promise hop to a decoded answer. */
  function finish(res: UpstreamResponse, signal: CancelSignal): BackendResult | Promise<BackendResult> {
    if (noop) return rawResult(res);
    if (res.status !== 200 && res.status !== 201) return statusErrorResult(res, signal);
    // Not `noop`: the exchange ran in buffered mode, so the body is a whole Buffer (the stream
    // branch is for a body handed over by a hook).
    if (!Buffer.isBuffer(res.body))
      return readUpstreamBody(res.body, MAX_UPSTREAM_BODY).then(
        (b) => finish({ ...res, body: b }, signal),
        (err) => decodeFailed(err, signal),
      );
    try {
      if (res.body.length > MAX_UPSTREAM_BODY) throw new BodyTooLargeError(MAX_UPSTREAM_BODY);
      const enc = env.addsGzip ? headerValue(res.headers, 'content-encoding') : undefined;
      if (enc !== undefined && enc !== 'identity') return inflatedResult(res.body, enc, signal);
      return decoded(res.body);
    } catch (err) {
      return decodeFailed(err, signal);
    }
  }

  function finishGoJson(res: UpstreamResponse, signal: CancelSignal): Buffer | BackendResult | Promise<BackendResult> {
    // The cases `finish` decodes at once; everything else (errors, gzip, streams) is its.
    if ((res.status === 200 || res.status === 201) && Buffer.isBuffer(res.body) && res.body.length <= MAX_UPSTREAM_BODY) {
      const enc = env.addsGzip ? headerValue(res.headers, 'content-encoding') : undefined;
      if (enc === undefined || enc === 'identity') {
        const bytes = canonicalGoJson(res.body);
        if (bytes !== undefined) return bytes;
      }
    }
    return finish(res, signal);
  }
  const passesJson = b.encoding === 'json' && !b.isCollection && shape === null;

  async function callOnce(input: CallInput): Promise<BackendResult> {
    const up = prepare(input);
    if (!('origin' in up)) return up;
    let res: UpstreamResponse;
    try {
      if (hooked) {
        const r = await exchangeWithHooks(hooks, up, input, (req) => callUpstream(pools, req));
        if ('kind' in r) return r;
        res = r;
      } else {
        res = await callUpstream(pools, up);
      }
    } catch (err) {
      return errorResult(toGatewayError(err, input.signal));
    }
    return finish(res, input.signal);
  }
  // The direct path has no place for HTTP-level hooks: a hooked backend takes the general one.
  return { call: callOnce, direct: hooked ? null : { prepare, pools, finish, noop, finishGoJson: passesJson ? finishGoJson : null } };
}

/** concurrent_calls: N identical calls, the first complete answer wins, the rest are aborted. */
export function withConcurrentCalls(handler: BackendHandler, n: number): BackendHandler {
  if (n <= 1) return handler;
  return async (input) => {
    const controllers = Array.from({ length: n }, () => new CallSignal());
    const onAbort = () => controllers.forEach((c) => c.abort(input.signal.reason));
    input.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const results = controllers.map((c) => handler({ ...input, signal: c }));
      let lastError: BackendResult | undefined;
      const winner = await new Promise<BackendResult>((resolve) => {
        let pending = n;
        results.forEach((p, i) =>
          p.then((r) => {
            if (!failureOf(r)) {
              controllers.forEach((c, j) => j !== i && c.abort());
              resolve(r);
            } else {
              lastError = r;
              if (--pending === 0) resolve(lastError);
            }
          }),
        );
      });
      return winner;
    } finally {
      input.signal.removeEventListener('abort', onAbort);
    }
  };
}
