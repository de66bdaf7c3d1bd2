// Runs one request through a compiled endpoint plan (compile-endpoint.ts): the path parameter
// check, guards before the body, the bounded body, guards after it, the backend calls under the
// endpoint timeout, and the answer through the response phase (respond.ts). Each step is a
// named function, so a profile or a stack trace says where a request was.
import type { ServerResponse } from 'node:http';
import type { RequestContext, Rejection } from '../core/request.js';
import { dataResult, errorResult, rawResult, type BackendResult, type CallInput } from '../core/backend-result.js';
import { DEADLINE, GatewayError } from '../core/gateway-error.js';
import { CallSignal } from '../core/call-signal.js';
import { unsafePathValue } from '../proxy/url-template.js';
import { BodyTooLargeError, readRequestBody, readUpstreamBody } from '../proxy/read-body.js';
import { callAllDirect, callDirect } from './direct-call.js';
import type { ResponseBookkeeping } from './http-response.js';
import type { EndpointPlan } from './compile-endpoint.js';
import type { DirectBackend } from './compile-backend.js';
import { MAX_UPSTREAM_BODY } from './compile-backend.js';
import { answerOfResult, goJsonAnswer } from './answer-of-result.js';
import { plainAnswer, rejectionAnswer } from './replies.js';
import { respond } from './respond.js';
import { crashAnswer } from './crash.js';

const PARAM_EVENT = Object.freeze({
  code: 'request.path_param',
  component: 'router',
  reason: 'path parameter would leave the url_pattern prefix, or is encoded',
});
const BODY_EVENT = Object.freeze({ code: 'request.too_large', component: 'router', reason: 'body over max_payload' });
const ABORT_TIMEOUT = new GatewayError('backend.deadline', DEADLINE);
const abortOnTimeout = (signal: CallSignal): void => signal.abort(ABORT_TIMEOUT);

/** 'close' listener shared by every request: a client gone before its answer cancels the calls. */
function abortCallsOnClose(this: ServerResponse & ResponseBookkeeping): void {
  if (!this.writableFinished) this.callSignal?.abort();
}

/** Path parameter guard (KrakenD's parameter checker, made stricter: separators, dot segments
 * and control characters are refused in any encoding, before any backend is called; see
 * unsafePathValue). Returns an error text or undefined. */
export function checkParams(params: Record<string, string>, allowEncoded: boolean): string | undefined {
  for (const k in params) {
    const v = params[k];
    if (unsafePathValue(v) !== undefined) return 'invalid path parameter';
    if (!allowEncoded && (v.includes('%') || v.includes('?') || v.includes('#'))) return 'encoded url params';
  }
  return undefined;
}

/**
 * Clears the endpoint timer once the answer is out, except for a streamed no-op body: that
 * stays under the endpoint `timeout` until written whole, as in KrakenD (whose request context
 * covers the body copy). Otherwise a client that stops reading would hold the upstream
 * connection, and with it a slot of the backend's pool, for ever (issue #14); at the timeout the
 * upstream exchange is aborted and the client connection closed.
 */
function releaseTimer(res: ServerResponse, r: BackendResult | undefined, timer: NodeJS.Timeout): void {
  if (r?.kind === 'raw' && !Buffer.isBuffer(r.raw.body) && !res.destroyed && !res.writableFinished) res.once('close', () => clearTimeout(timer));
  else clearTimeout(timer);
}

/** Replaces client headers by the ones components set (e.g. propagated claims). */
export function withUpstreamHeaders(headers: string[], extra: string[]): string[] {
  const names = new Set<string>();
  for (let i = 0; i < extra.length; i += 2) names.add(extra[i]);
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!names.has(headers[i])) out.push(headers[i], headers[i + 1]);
  for (const x of extra) out.push(x);
  return out;
}

/** The backend calls' input: the forwarded headers and query, the timeout, and the
 * cancel-on-client-gone signal. */
function callInput(plan: EndpointPlan, ctx: RequestContext, body: Buffer | null): { input: CallInput; timer: NodeJS.Timeout } {
  const { req, res } = ctx;
  let headers = plan.headerFilter.build({ rawHeaders: req.rawHeaders, clientIp: ctx.clientIp, host: req.headers.host ?? '' });
  if (ctx.upstreamHeaders) headers = withUpstreamHeaders(headers, ctx.upstreamHeaders);
  const query = plan.queryFilter ? plan.queryFilter(ctx.rawQuery) : '';
  // Timer and listener last: nothing above can throw and leave them behind.
  const signal = new CallSignal();
  const timer = setTimeout(abortOnTimeout, plan.timeoutMs, signal);
  (res as ServerResponse & ResponseBookkeeping).callSignal = signal;
  res.on('close', abortCallsOnClose);
  return { input: { ctx, params: ctx.params, query, headers, body, signal }, timer };
}

/** The answer of a proxied result through the response phase. A hook that reads bodies gets a
 * no-op answer whole (bounded like any decoded answer). */
async function answerProxied(plan: EndpointPlan, ctx: RequestContext, r: BackendResult): Promise<void> {
  if (plan.bufferNoop && r.kind === 'raw' && !Buffer.isBuffer(r.raw.body)) {
    try {
      r = rawResult({ ...r.raw, body: await readUpstreamBody(r.raw.body, MAX_UPSTREAM_BODY) });
    } catch {
      r = errorResult(new GatewayError('backend.too_large', 'backend response too large'));
    }
  }
  return respond(ctx, answerOfResult(plan, r, ctx.req.headers['accept-encoding']), plan.response, plan.log);
}

async function forwardMerged(plan: EndpointPlan, ctx: RequestContext, body: Buffer | null): Promise<void> {
  const { input, timer } = callInput(plan, ctx, body);
  let result: BackendResult | undefined;
  try {
    result = await plan.proxy(input);
    if (ctx.res.destroyed || ctx.res.headersSent) return;
    await answerProxied(plan, ctx, result);
  } finally {
    releaseTimer(ctx.res, result, timer);
  }
}

/** Request bodies at least this large, with a Content-Length within max_payload, on a direct
 * endpoint with no guard reading the body are streamed to the backend as they arrive instead of
 * read whole first (issue #20: a 50 MiB upload held 50 MiB of RSS and waited for the last byte
 * before the first was sent). Node's parser delivers exactly Content-Length bytes, so the bound
 * holds; smaller bodies keep the buffered path (one write). */
export const STREAM_BODY_MIN = 256 * 1024;
/** Methods whose bodies may be streamed (a body on GET/HEAD/DELETE/OPTIONS always goes with a
 * Content-Length, never chunked: call-upstream.ts). */
const STREAMED_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The Content-Length of a body `forwardDirect` may stream, or -1. */
function streamableLength(plan: EndpointPlan, method: string, h: RequestContext['req']['headers']): number {
  const d = plan.direct;
  // One no-op backend only: a decoded answer gains nothing from it, and several backends would
  // each need the body.
  if (d === null || d.length !== 1 || !d[0].noop || plan.postBody !== null || h['transfer-encoding'] !== undefined || !STREAMED_METHODS.has(method)) return -1;
  const cl = h['content-length'];
  if (cl === undefined) return -1;
  const n = Number(cl);
  return n >= STREAM_BODY_MIN && n <= plan.maxPayload ? n : -1;
}

/** The direct path (compile-endpoint's `direct`): the backends called and the answer written
 * from undici's callbacks, minus the general path's promise hops; the same requests and answer
 * as through `plan.proxy`. With `streamLength` >= 0 the client's body (that many bytes) is piped
 * to the one backend unread. */
function forwardDirect(plan: EndpointPlan, ctx: RequestContext, body: Buffer | null, ds: readonly DirectBackend[], streamLength = -1): void {
  const { input, timer } = callInput(plan, ctx, body);
  const res = ctx.res;
  const taps = plan.directTaps;
  const states = taps.length === 0 ? undefined : taps.map((t) => t.start(input));
  const done = (r: BackendResult): void => {
    if (states !== undefined) for (let i = taps.length - 1; i >= 0; i--) taps[i].end(states[i], input, r);
    releaseTimer(res, r, timer);
    if (res.destroyed || res.headersSent) return;
    try {
      const p = respond(ctx, answerOfResult(plan, r, ctx.req.headers['accept-encoding']), plan.response, plan.log);
      if (p) p.catch((err) => crashAnswer(plan.log, ctx, err, plan.response));
    } catch (err) {
      // Thrown inside undici's callback: answered here, as the gateway does for its handlers.
      crashAnswer(plan.log, ctx, err, plan.response);
    }
  };
  if (ds.length === 1) return callDirect(ds[0], input, streamLength >= 0 ? { req: ctx.req, length: streamLength } : null, done);
  callAllDirect(ds, plan.directBackendTaps, input, done);
}

/** What the taps of a call answered as Go JSON bytes see: complete data, no failure (all they
 * read of a result). */
const PASSED_JSON: BackendResult = Object.freeze(dataResult({}, true));

/** The direct JSON path (compile-endpoint's `directJson`): as forwardDirect with its one
 * backend, except that an answer canonicalGoJson could make Go's bytes of is written as them
 * (the endpoint hooks' work, if any, already done on them: d.bytesResponse). */
function forwardGoJson(plan: EndpointPlan, ctx: RequestContext, body: Buffer | null, d: NonNullable<EndpointPlan['directJson']>): void {
  const { input, timer } = callInput(plan, ctx, body);
  const res = ctx.res;
  const taps = plan.directTaps;
  const states = taps.length === 0 ? undefined : taps.map((t) => t.start(input));
  callDirect(d, input, null, (out) => {
    const r = Buffer.isBuffer(out) ? PASSED_JSON : out;
    if (states !== undefined) for (let i = taps.length - 1; i >= 0; i--) taps[i].end(states[i], input, r);
    releaseTimer(res, r, timer);
    if (res.destroyed || res.headersSent) return;
    try {
      const bytes = Buffer.isBuffer(out);
      const a = bytes ? goJsonAnswer(plan, out) : answerOfResult(plan, r, ctx.req.headers['accept-encoding']);
      const p = respond(ctx, a, bytes ? d.bytesResponse : plan.response, plan.log);
      if (p) p.catch((err) => crashAnswer(plan.log, ctx, err, plan.response));
    } catch (err) {
      crashAnswer(plan.log, ctx, err, plan.response);
    }
  });
}

function forward(plan: EndpointPlan, ctx: RequestContext, body: Buffer | null): void | Promise<void> {
  if (plan.directJson !== null) return forwardGoJson(plan, ctx, body, plan.directJson);
  if (plan.direct !== null) return forwardDirect(plan, ctx, body, plan.direct);
  return forwardMerged(plan, ctx, body);
}

function refuse(plan: EndpointPlan, ctx: RequestContext, rejection: Rejection): void | Promise<void> {
  if (rejection.event) plan.security(ctx, plan.route, rejection.status, rejection.event);
  return respond(ctx, rejectionAnswer(rejection), plan.response, plan.log);
}

function tooLarge(plan: EndpointPlan, ctx: RequestContext): void | Promise<void> {
  ctx.endpointRefusedAt = plan.preBodyGuards;
  plan.security(ctx, plan.route, 413, BODY_EVENT);
  const a = plainAnswer(413, '', [], undefined);
  a.close = true;
  return respond(ctx, a, plan.response, plan.log);
}

/** Guards and the request body, when there are any: then the request goes on to `forward`. */
async function guardedForward(plan: EndpointPlan, ctx: RequestContext): Promise<void> {
  const { req, res } = ctx;
  if (plan.preBody) {
    const r = plan.preBody(ctx);
    const rejection = r instanceof Promise ? await r : r;
    if (rejection) return refuse(plan, ctx, rejection);
  }
  const stream = streamableLength(plan, ctx.method, req.headers);
  if (stream >= 0 && plan.direct !== null) return forwardDirect(plan, ctx, null, plan.direct, stream);
  let body: Buffer | null = null;
  const cl = req.headers['content-length'];
  if (cl !== undefined || req.headers['transfer-encoding'] !== undefined) {
    if (cl !== undefined && Number(cl) > plan.maxPayload) return tooLarge(plan, ctx);
    try {
      body = await readRequestBody(req, plan.maxPayload);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return tooLarge(plan, ctx);
      return void res.destroy();
    }
  }
  ctx.body = body;
  if (plan.postBody) {
    const r = plan.postBody(ctx);
    const rejection = r instanceof Promise ? await r : r;
    if (rejection) return refuse(plan, ctx, rejection);
  }
  return forward(plan, ctx, body);
}

/** A request without a body (no Content-Length, no Transfer-Encoding): the guards and then
 * `forward`, without an async function around them, so guards that answer at once (a cached JWT,
 * a rate limit) add no promise, and no promise for the router to watch, to the request. */
function guardedForwardNoBody(plan: EndpointPlan, ctx: RequestContext): void | Promise<void> {
  if (plan.preBody === null) return afterPreBodyNoBody(plan, ctx);
  const r = plan.preBody(ctx);
  if (r instanceof Promise) return r.then((rejection) => (rejection ? refuse(plan, ctx, rejection) : afterPreBodyNoBody(plan, ctx)));
  if (r) return refuse(plan, ctx, r);
  return afterPreBodyNoBody(plan, ctx);
}

function afterPreBodyNoBody(plan: EndpointPlan, ctx: RequestContext): void | Promise<void> {
  ctx.body = null;
  if (plan.postBody === null) return forward(plan, ctx, null);
  const r = plan.postBody(ctx);
  if (r instanceof Promise) return r.then((rejection) => (rejection ? refuse(plan, ctx, rejection) : forward(plan, ctx, null)));
  if (r) return refuse(plan, ctx, r);
  return forward(plan, ctx, null);
}

/** The handler of one routed request. */
export function runEndpoint(plan: EndpointPlan, ctx: RequestContext): void | Promise<void> {
  const bad = checkParams(ctx.params, plan.disablePathDecoding);
  if (bad) {
    ctx.endpointRefusedAt = 0;
    plan.security(ctx, plan.route, 400, PARAM_EVENT);
    return respond(ctx, plainAnswer(400, plan.returnErrorMsg ? `error: ${bad}` : '', [], 'text/plain; charset=utf-8'), plan.response, plan.log);
  }
  const h = ctx.req.headers;
  if (h['content-length'] === undefined && h['transfer-encoding'] === undefined) {
    if (plan.preBody === null && plan.postBody === null) return forward(plan, ctx, null);
    return guardedForwardNoBody(plan, ctx);
  }
  return guardedForward(plan, ctx);
}
