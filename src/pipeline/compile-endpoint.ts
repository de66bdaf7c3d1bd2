// Compiles one endpoint into its request handler: guards (params, body limit), forwarding
// (headers, query), the backend merge, static data, flatmap, and the rendered answer.
import type { ServerResponse } from 'node:http';
import type { RequestContext, SharedResources, Stage } from '../components/types.js';
import type { Problems } from '../config/errors.js';
import type { Logger } from '../observability/logger.js';
import { buildStages, compileGuards, wrapAll } from './build-stages.js';
import { sendRejection } from '../server/replies.js';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream';
import type { EndpointConfig, RouterOptions, ServiceConfig, UpstreamClientOptions } from '../config/types.js';
import { DEADLINE, GatewayError } from '../errors/gateway-error.js';
import { compileHeaderFilter } from '../proxy/forward-headers.js';
import { compileQueryFilter } from '../proxy/forward-query.js';
import { BodyTooLargeError, readBounded } from '../proxy/read-body.js';
import { CallSignal } from '../proxy/call-signal.js';
import { headerValue } from '../proxy/upstream-exchange.js';
import type { ResponseBookkeeping } from '../server/http-response.js';
import type { UpstreamPools } from '../proxy/upstream-pools.js';
import { compileFlatmap } from '../shaping/flatmap.js';
import { COMPLETED_HEADER } from '../version.js';
import { compileBackend, withConcurrentCalls } from './compile-backend.js';
import { parallelMerge, sequentialMerge } from './merge.js';
import { compileRenderer } from './render.js';
import { compileStatic } from './static-data.js';
import type { BackendHandler, ProxyResult } from './types.js';
import { sendPlain } from '../server/replies.js';

export type EndpointHandler = (ctx: RequestContext) => Promise<void>;

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
}

const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);
const ABORT_TIMEOUT = new GatewayError(DEADLINE);
const abortOnTimeout = (signal: CallSignal): void => signal.abort(ABORT_TIMEOUT);
/** 'close' listener shared by every request: a client gone before its answer cancels the calls. */
function abortCallsOnClose(this: ServerResponse & ResponseBookkeeping): void {
  if (!this.writableFinished) this.callSignal?.abort();
}

/** Path parameter guard (KrakenD's parameter checker, made stricter: dot segments and control
 * characters are refused in any encoding). Returns an error text or undefined. */
function checkParams(params: Record<string, string>, allowEncoded: boolean): string | undefined {
  for (const k in params) {
    const v = params[k];
    if (v === '.' || v === '..') return 'invalid path parameter';
    if (!allowEncoded && (v.includes('%') || v.includes('?') || v.includes('#'))) return 'encoded url params';
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(v)) return 'invalid path parameter';
  }
  return undefined;
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

export async function compileEndpoint(ep: EndpointConfig, env: EndpointCompileEnv): Promise<EndpointHandler> {
  const base = { service: env.service, endpoint: ep, log: env.log, shared: env.shared, dryRun: env.dryRun };
  const endpointStages = await buildStages(ep.extra, { ...base, scope: 'endpoint', pointer: `${ep.pointer}/extra_config` }, env.problems);
  env.stages.push(...endpointStages.stages);
  const preBody = compileGuards(endpointStages.guards, ['edge', 'authenticate', 'admit']);
  const postBody = compileGuards(endpointStages.guards, ['validate']);
  const headerFilter = compileHeaderFilter(ep.inputHeaders, env.client.disableCompression);
  const addsGzip = !env.client.disableCompression && !(ep.inputHeaders.includes('*') || ep.inputHeaders.some((h) => h.toLowerCase() === 'accept-encoding'));
  const queryFilter = compileQueryFilter(ep.inputQueryStrings);
  const backendEnv = { pools: env.pools, client: env.client, addsGzip, chunkedBody: !headerFilter.forwardsContentLength };
  const compiled = [];
  for (const b of ep.backends) {
    const st = await buildStages(b.extra, { ...base, backend: b, scope: 'backend', pointer: `${b.pointer}/extra_config` }, env.problems);
    env.stages.push(...st.stages);
    compiled.push({ cfg: b, handler: withConcurrentCalls(wrapAll(await compileBackend(b, backendEnv), st.arounds), ep.concurrentCalls) });
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
      gunzip = enc !== undefined && /^(x-)?gzip$/i.test(enc);
    }
    for (let i = 0; i < h.length; i += 2) {
      const name = h[i];
      if (RESPONSE_HOP_BY_HOP.has(name) || name === COMPLETED_HEADER) continue;
      if (gunzip && (name === 'content-encoding' || name === 'content-length')) continue;
      out.push(name, h[i + 1]);
    }
    out.push(COMPLETED_HEADER, 'false');
    res.writeHead(up.status, out);
    const onDone = (err: Error | null | undefined) => {
      if (err) res.destroy();
    };
    const body = up.body;
    if (gunzip) {
      if (!Buffer.isBuffer(body)) return void pipeline(body, createGunzip(), res, onDone);
      const gz = createGunzip();
      pipeline(gz, res, onDone);
      return void gz.end(body);
    }
    // Small bodies arrive whole (see NOOP_BUFFERED_BODY): header and body leave in one write.
    if (Buffer.isBuffer(body)) return void res.end(body);
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

  return async (ctx) => {
    const { req, res, params, rawQuery } = ctx;
    const bad = checkParams(params, disablePathDecoding);
    if (bad) return void sendPlain(res, 400, returnErrorMsg ? `error: ${bad}` : '', [], 'text/plain; charset=utf-8');

    if (preBody) {
      const r = preBody(ctx);
      const rejection = r instanceof Promise ? await r : r;
      if (rejection) return sendRejection(res, rejection);
    }
    let body: Buffer | null = null;
    const cl = req.headers['content-length'];
    if (cl !== undefined || req.headers['transfer-encoding'] !== undefined) {
      if (cl !== undefined && Number(cl) > maxPayload) return void sendPlain(res, 413, '', ['connection', 'close'], undefined);
      try {
        body = await readBounded(req, maxPayload);
      } catch (err) {
        if (err instanceof BodyTooLargeError) return void sendPlain(res, 413, '', ['connection', 'close'], undefined);
        return void res.destroy();
      }
    }

    ctx.body = body;
    if (postBody) {
      const r = postBody(ctx);
      const rejection = r instanceof Promise ? await r : r;
      if (rejection) return sendRejection(res, rejection);
    }
    const signal = new CallSignal();
    const timer = setTimeout(abortOnTimeout, timeoutMs, signal);
    (res as ServerResponse & ResponseBookkeeping).callSignal = signal;
    res.on('close', abortCallsOnClose);
    try {
      let headers = headerFilter.build({ rawHeaders: req.rawHeaders, clientIp: ctx.clientIp, host: req.headers.host ?? '' });
      if (ctx.upstreamHeaders) headers = withUpstreamHeaders(headers, ctx.upstreamHeaders);
      const query = queryFilter ? queryFilter(rawQuery) : '';
      const result = await proxy({ ctx, params, query, headers, body, signal });
      // An `around` that answers by itself (auth/signer) has already written the response.
      if (res.destroyed || res.headersSent) return;
      reply(res, result, req.headers.accept);
    } finally {
      clearTimeout(timer);
    }
  };
}
