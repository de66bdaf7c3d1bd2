// Compiles one endpoint into its request handler: guards (params, body limit), forwarding
// (headers, query), the backend merge, static data, flatmap, and the rendered answer.
import type { ServerResponse } from 'node:http';
import type { Rejection, RequestContext, SharedResources, Stage } from '../components/types.js';
import type { Problems } from '../config/errors.js';
import type { Logger } from '../observability/logger.js';
import type { SecurityLog } from '../observability/security-events.js';
import type { StatsRegistry } from '../observability/stats.js';
import { proxyMeter } from './metrics-meters.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { backendFlags, proxyFlags } from '../config/normalize-otel.js';
import { buildStages, compileGuards, wrapAll } from './build-stages.js';
import { replyCrashed, sendRejection } from '../server/replies.js';
import { createGunzip } from 'node:zlib';
import { pipeline, Transform } from 'node:stream';
import type { EndpointConfig, RouterOptions, ServiceConfig, UpstreamClientOptions } from '../config/types.js';
import { DEADLINE, GatewayError, toGatewayError } from '../errors/gateway-error.js';
import { compileHeaderFilter } from '../proxy/forward-headers.js';
import { compileQueryFilter } from '../proxy/forward-query.js';
import { unsafePathValue } from '../proxy/url-template.js';
import { BodyTooLargeError, readBounded } from '../proxy/read-body.js';
import { CallSignal } from '../proxy/call-signal.js';
import { headerValue } from '../proxy/upstream-exchange.js';
import type { ResponseBookkeeping } from '../server/http-response.js';
import type { UpstreamPools } from '../proxy/upstream-pools.js';
import { compileFlatmap } from '../shaping/flatmap.js';
import { COMPLETED_HEADER } from '../version.js';
import { compileBackend, MAX_UPSTREAM_BODY, withConcurrentCalls, type DirectBackend } from './compile-backend.js';
import { firstHop, followRedirects, mayRedirect } from '../proxy/call-upstream.js';
import { startExchange } from '../proxy/upstream-exchange.js';
import { parallelMerge, sequentialMerge } from './merge.js';
import { compileRenderer } from './render.js';
import { compileStatic } from './static-data.js';
import type { BackendHandler, CallInput, ProxyResult } from './types.js';
import { sendPlain } from '../server/replies.js';

/** Answers one routed request; returns a promise only when part of the work is asynchronous in
 * JS (guards, body, merged backends); errors in that promise are the gateway's to report. */
export type EndpointHandler = (ctx: RequestContext) => void | Promise<void>;

export interface EndpointCompileEnv {
  pools: UpstreamPools;
  client: UpstreamClientOptions;
  router: RouterOptions;
  service: ServiceConfig;
  log: Logger;
  shared: SharedResources;
  problems: Problems;
  stages: Stage[];
  dryRun: boolean;
  security: SecurityLog;
  /** telemetry/opentelemetry, when on. */
  telemetry: Telemetry | undefined;
  /** telemetry/metrics, when on: the registry and which layers it measures. */
  stats: { registry: StatsRegistry; proxy: boolean; backend: boolean } | undefined;
}

const PARAM_EVENT = Object.freeze({ code: 'request.path_param', component: 'router', reason: 'path parameter would leave the url_pattern prefix, or is encoded' });
const BODY_EVENT = Object.freeze({ code: 'request.too_large', component: 'router', reason: 'body over max_payload' });

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);
const ABORT_TIMEOUT = new GatewayError(DEADLINE);
const abortOnTimeout = (signal: CallSignal): void => signal.abort(ABORT_TIMEOUT);
/** 'close' listener shared by every request: a client gone before its answer cancels the calls. */
function abortCallsOnClose(this: ServerResponse & ResponseBookkeeping): void {
  if (!this.writableFinished) this.callSignal?.abort();
}

/** Path parameter guard (KrakenD's parameter checker, made stricter: separators, dot segments
 * and control characters are refused in any encoding, before any backend is called; see
 * unsafePathValue). Returns an error text or undefined. */
function checkParams(params: Record<string, string>, allowEncoded: boolean): string | undefined {
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
function releaseTimer(res: ServerResponse, r: ProxyResult | undefined, timer: NodeJS.Timeout): void {
  if (r?.raw !== undefined && !Buffer.isBuffer(r.raw.body) && !res.destroyed && !res.writableFinished) res.once('close', () => clearTimeout(timer));
  else clearTimeout(timer);
}

/** Replaces client headers by the ones components set (e.g. propagated claims). */
function withUpstreamHeaders(headers: string[], extra: string[]): string[] {
  const names = new Set<string>();
  for (let i = 0; i < extra.length; i += 2) names.add(extra[i]);
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!names.has(headers[i])) out.push(headers[i], headers[i + 1]);
  for (const x of extra) out.push(x);
  return out;
}

/** Whether an Accept-Encoding value admits gzip (a `gzip` or `*` coding without q=0). */
export function acceptsGzip(value: string | undefined): boolean {
  if (!value) return false;
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== 'x-gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/** A pass-through that fails once more than `max` bytes went through (bounds inflation). */
function limitBytes(max: number): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) return cb(new Error(`inflated no-op body over ${max} bytes`));
      cb(null, chunk);
    },
  });
}

export async function compileEndpoint(ep: EndpointConfig, env: EndpointCompileEnv): Promise<EndpointHandler> {
  const base = { service: env.service, endpoint: ep, log: env.log, shared: env.shared, dryRun: env.dryRun };
  const endpointStages = await buildStages(ep.extra, { ...base, scope: 'endpoint', pointer: `${ep.pointer}/extra_config` }, env.problems);
  env.stages.push(...endpointStages.stages);
  if (env.stats?.proxy) endpointStages.arounds.unshift(proxyMeter(env.stats.registry, 'pipe', ep.path));
  // telemetry/opentelemetry: the endpoint's override of a layer replaces the service's settings.
  const OTEL = 'telemetry/opentelemetry';
  const epOtel = ep.extra[OTEL] as { proxy?: Record<string, unknown>; backend?: Record<string, unknown> } | undefined;
  const telemetry = env.telemetry && !env.telemetry.settings.skipPaths.has(ep.path) ? env.telemetry : undefined;
  if (epOtel && !env.telemetry) env.problems.add(`${ep.pointer}/extra_config/telemetry~1opentelemetry`, 'an override without the service-level telemetry/opentelemetry does nothing: declare the service block (exporters) first');
  // Imported only by configs that use OpenTelemetry (the API and propagation are not free to load).
  const otelLayers = telemetry ? await import('./otel-layers.js') : undefined;
  if (telemetry && otelLayers) {
    const layer = otelLayers.otelProxyLayer(telemetry, ep, epOtel?.proxy ? proxyFlags(epOtel.proxy) : telemetry.settings.proxy);
    if (layer) endpointStages.arounds.unshift(layer);
  }
  const preBody = compileGuards(endpointStages.guards, ['edge', 'authenticate', 'admit']);
  const postBody = compileGuards(endpointStages.guards, ['validate']);
  // The gateway asks backends for gzip, as KrakenD (Go's transport) does, and undoes it. For a
  // no-op answer that undoing is bounded (issue #14: a 200 KB gzip bomb inflated to 200 MB): a
  // client that accepts gzip gets the bytes as the backend sent them, any other client gets them
  // inflated up to MAX_UPSTREAM_BODY, after which the answer is cut.
  const disableCompression = env.client.disableCompression;
  const headerFilter = compileHeaderFilter(ep.inputHeaders, disableCompression);
  const addsGzip = !disableCompression && !(ep.inputHeaders.includes('*') || ep.inputHeaders.some((h) => h.toLowerCase() === 'accept-encoding'));
  const queryFilter = compileQueryFilter(ep.inputQueryStrings);
  const backendEnv = { pools: env.pools, client: env.client, addsGzip, chunkedBody: !headerFilter.forwardsContentLength };
  const compiled = [];
  for (const b of ep.backends) {
    const st = await buildStages(b.extra, { ...base, backend: b, scope: 'backend', pointer: `${b.pointer}/extra_config` }, env.problems);
    env.stages.push(...st.stages);
    // The meter is the outermost backend wrapper: it sees what the endpoint gets from this backend.
    if (env.stats?.backend) st.arounds.unshift(proxyMeter(env.stats.registry, 'backend', b.urlPattern));
    const bOtel = (b.extra[OTEL] as { backend?: Record<string, unknown> } | undefined)?.backend ?? epOtel?.backend;
    if (b.extra[OTEL] && !env.telemetry) env.problems.add(`${b.pointer}/extra_config/telemetry~1opentelemetry`, 'an override without the service-level telemetry/opentelemetry does nothing: declare the service block (exporters) first');
    if (telemetry && otelLayers) {
      const layer = otelLayers.otelBackendLayer(telemetry, ep, b, bOtel ? backendFlags(bOtel) : telemetry.settings.backend);
      if (layer) st.arounds.unshift(layer);
    }
    const backend = await compileBackend(b, backendEnv);
    compiled.push({ cfg: b, handler: withConcurrentCalls(wrapAll(backend.call, st.arounds), ep.concurrentCalls), direct: st.arounds.length === 0 ? backend.direct : null });
  }
  const main = compiled.filter((c) => !c.cfg.shadow).map((c) => c.handler);
  const shadows = compiled.filter((c) => c.cfg.shadow).map((c) => c.handler);
  // Static data belongs to the proxy (lura's static middleware), so endpoint `around`s such as
  // auth/signer see it, as in KrakenD.
  const merged: BackendHandler = ep.sequential ? sequentialMerge(main) : parallelMerge(main, shadows);
  const applyStatic = compileStatic(ep.staticData);
  const withStatic: BackendHandler = applyStatic ? async (input) => applyStatic(await merged(input)) : merged;
  const proxy: BackendHandler = wrapAll(withStatic, endpointStages.arounds);
  const flatmap = ep.flatmap && ep.flatmap.length > 0 && ep.backends.length > 1 ? compileFlatmap(ep.flatmap) : null;
  const render = await compileRenderer(ep.outputEncoding);
  const cacheControl = ep.cacheTtlS > 0 ? `public, max-age=${ep.cacheTtlS}` : undefined;
  const { returnErrorMsg, disablePathDecoding } = env.router;
  const maxPayload = ep.maxPayload;
  const timeoutMs = ep.timeoutMs;
  // The direct path: one no-op backend and nothing around it (no static data, no endpoint or
  // backend wrappers, no concurrent calls, no shadow) is answered straight from the backend's
  // callbacks. Same request, same answer as through `proxy`, minus three promise hops per request.
  const direct =
    compiled.length === 1 && !compiled[0].cfg.shadow && !ep.sequential && ep.concurrentCalls <= 1 && !applyStatic && endpointStages.arounds.length === 0
      ? compiled[0].direct
      : null;
  const log = env.log;
  const security = env.security;

  function replyError(res: ServerResponse, err: GatewayError): void {
    const headers: string[] = [COMPLETED_HEADER, 'false'];
    if (!returnErrorMsg) return void sendPlain(res, err.status, '', headers, undefined);
    if (err.body) return void sendPlain(res, err.status, err.body, headers, err.contentType ?? 'text/plain; charset=utf-8');
    sendPlain(res, err.status, err.message, headers, 'text/plain; charset=utf-8');
  }

  function replyRaw(res: ServerResponse, r: ProxyResult): void {
    const up = r.raw!;
    const h = up.headers;
    const out: string[] = [];
    let gunzip = false;
    if (addsGzip) {
      const enc = headerValue(h, 'content-encoding');
      gunzip = enc !== undefined && /^(x-)?gzip$/i.test(enc) && !acceptsGzip(res.req.headers['accept-encoding']);
    }
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i];
      if (RESPONSE_HOP_BY_HOP.has(name) || name === COMPLETED_HEADER) continue;
      if (gunzip && (name === 'content-encoding' || name === 'content-length')) continue;
      out.push(name, h[i + 1]);
    }
    out.push(COMPLETED_HEADER, 'false');
    res.writeHead(up.status, out);
    const body = up.body;
    // Small bodies arrive whole (see NOOP_BUFFERED_BODY): header and body leave in one write.
    if (!gunzip && Buffer.isBuffer(body)) return void res.end(body);
    const onDone = (err: Error | null | undefined) => {
      if (err) res.destroy();
    };
    if (gunzip) {
      if (!Buffer.isBuffer(body)) return void pipeline(body, createGunzip(), limitBytes(MAX_UPSTREAM_BODY), res, onDone);
      const gz = createGunzip();
      pipeline(gz, limitBytes(MAX_UPSTREAM_BODY), res, onDone);
      return void gz.end(body);
    }
    pipeline(body, res, onDone);
  }

  function reply(res: ServerResponse, r: ProxyResult, accept: string | undefined): void {
    if (r.raw) return replyRaw(res, r);
    if (!r.data) return replyError(res, r.error ?? new GatewayError('no data'));
    let data = r.data;
    if (flatmap) data = flatmap(data);
    const { contentType, body } = render(data, accept);
    const complete = r.complete && !r.error;
    const headers = ['content-type', contentType, COMPLETED_HEADER, complete && Object.keys(data).length > 0 ? 'true' : 'false'];
    if (complete && cacheControl) headers.push('cache-control', cacheControl);
    headers.push('content-length', String(Buffer.byteLength(body)));
    res.writeHead(200, headers);
    res.end(body);
  }

  /** Starts the request's backend calls: the timeout, the cancel-on-client-gone signal, the
   * forwarded headers and query. */
  function callInput(ctx: RequestContext, body: Buffer | null): { input: CallInput; timer: NodeJS.Timeout } {
    const { req, res } = ctx;
    let headers = headerFilter.build({ rawHeaders: req.rawHeaders, clientIp: ctx.clientIp, host: req.headers.host ?? '' });
    if (ctx.upstreamHeaders) headers = withUpstreamHeaders(headers, ctx.upstreamHeaders);
    const query = queryFilter ? queryFilter(ctx.rawQuery) : '';
    // Timer and listener last: nothing above can throw and leave them behind.
    const signal = new CallSignal();
    const timer = setTimeout(abortOnTimeout, timeoutMs, signal);
    (res as ServerResponse & ResponseBookkeeping).callSignal = signal;
    res.on('close', abortCallsOnClose);
    return { input: { ctx, params: ctx.params, query, headers, body, signal }, timer };
  }

  async function forwardMerged(ctx: RequestContext, body: Buffer | null): Promise<void> {
    const { input, timer } = callInput(ctx, body);
    let result: ProxyResult | undefined;
    try {
      result = await proxy(input);
      // An `around` that answers by itself (auth/signer) has already written the response.
      if (ctx.res.destroyed || ctx.res.headersSent) return;
      reply(ctx.res, result, ctx.req.headers.accept);
    } finally {
      releaseTimer(ctx.res, result, timer);
    }
  }

  function forwardDirect(ctx: RequestContext, body: Buffer | null, d: DirectBackend): void {
    const { input, timer } = callInput(ctx, body);
    const res = ctx.res;
    const done = (r: ProxyResult): void => {
      releaseTimer(res, r, timer);
      if (res.destroyed || res.headersSent) return;
      try {
        reply(res, r, undefined);
      } catch (err) {
        // Thrown inside undici's callback: answered here, as the gateway does for its handlers.
        replyCrashed(log, res, err, ctx.path);
      }
    };
    const failed = (err: unknown): void => done({ data: undefined, complete: false, error: toGatewayError(err, input.signal), raw: undefined });
    const up = d.prepare(input);
    if (!('origin' in up)) return done(up);
    const url = up.origin + up.path;
    startExchange(
      d.pools.get(up.origin)!,
      firstHop(up),
      (first) => {
        if (mayRedirect(first.status)) {
          followRedirects(d.pools, up, first).then((raw) => done({ data: undefined, complete: false, error: undefined, raw }), failed);
          return;
        }
        done({ data: undefined, complete: false, error: undefined, raw: { status: first.status, headers: first.headers, body: first.body, url } });
      },
      failed,
    );
  }

  function forward(ctx: RequestContext, body: Buffer | null): void | Promise<void> {
    if (direct !== null) return forwardDirect(ctx, body, direct);
    return forwardMerged(ctx, body);
  }

  /** Guards and the request body, when there are any: then the request goes on to `forward`. */
  function refuse(ctx: RequestContext, rejection: Rejection): void {
    if (rejection.event) security(ctx, ep.path, rejection.status, rejection.event);
    sendRejection(ctx.res, rejection);
  }

  function tooLarge(ctx: RequestContext): void {
    security(ctx, ep.path, 413, BODY_EVENT);
    sendPlain(ctx.res, 413, '', ['connection', 'close'], undefined);
  }

  async function guardedForward(ctx: RequestContext): Promise<void> {
    const { req, res } = ctx;
    if (preBody) {
      const r = preBody(ctx);
      const rejection = r instanceof Promise ? await r : r;
      if (rejection) return refuse(ctx, rejection);
    }
    let body: Buffer | null = null;
    const cl = req.headers['content-length'];
    if (cl !== undefined || req.headers['transfer-encoding'] !== undefined) {
      if (cl !== undefined && Number(cl) > maxPayload) return tooLarge(ctx);
      try {
        body = await readBounded(req, maxPayload);
      } catch (err) {
        if (err instanceof BodyTooLargeError) return tooLarge(ctx);
        return void res.destroy();
      }
    }

    ctx.body = body;
    if (postBody) {
      const r = postBody(ctx);
      const rejection = r instanceof Promise ? await r : r;
      if (rejection) return refuse(ctx, rejection);
    }
    return forward(ctx, body);
  }

  return (ctx) => {
    const bad = checkParams(ctx.params, disablePathDecoding);
    if (bad) security(ctx, ep.path, 400, PARAM_EVENT);
    if (bad) return void sendPlain(ctx.res, 400, returnErrorMsg ? `error: ${bad}` : '', [], 'text/plain; charset=utf-8');
    const h = ctx.req.headers;
    if (preBody === null && postBody === null && h['content-length'] === undefined && h['transfer-encoding'] === undefined) return forward(ctx, null);
    return guardedForward(ctx);
  };
}
