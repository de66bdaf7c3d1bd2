// The compiled gateway: route table + endpoint handlers + the gateway's own routes, and the one
// function node:http calls per request. Built once from a ServiceConfig; immutable afterwards.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceConfig } from '../config/types.js';
import { accessLogWriter, type Logger } from '../observability/logger.js';
import type { ResponseBookkeeping } from './http-response.js';
import { compileEndpoint, type EndpointHandler } from '../pipeline/compile-endpoint.js';
import { UpstreamPools } from '../proxy/upstream-pools.js';
import { tooManyQueryParams } from '../proxy/forward-query.js';
import { RouteTable } from '../router/route-table.js';
import { COMPLETED_HEADER } from '../version.js';
import { compileClientIp } from './client-ip.js';
import { sendPlain } from './replies.js';
import { stringifyGo } from '../encoding/json-go.js';
import type { Rejection, RequestContext, Stage } from '../components/types.js';
import { createSecurityLog, type RefusalEvent } from '../observability/security-events.js';
import { StatsRegistry } from '../observability/stats.js';
import { EndpointMeter, UNROUTED } from '../pipeline/metrics-meters.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import type { OtelResponse } from './otel-global.js';
import { ConfigError, Problems } from '../config/errors.js';
import { buildStages, compileGuards } from '../pipeline/build-stages.js';
import { SharedRegistry } from './shared-resources.js';
import { replyCrashed, sendRejection } from './replies.js';
import { GatewayRequestContext } from './request-context.js';

type Handler = (ctx: RequestContext) => void | Promise<void>;

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
  /** telemetry/metrics: this process's registry (served by run.ts or the cluster primary). */
  readonly stats: StatsRegistry | undefined;
  /** telemetry/opentelemetry: this process's tracer, instruments and Prometheus text. */
  readonly telemetry: Telemetry | undefined;
}

const PONG = '{"message":"pong"}';
const NOT_ORIGIN_FORM: RefusalEvent = Object.freeze({ code: 'request.malformed', component: 'server', reason: 'request target is not a path' });
const TWO_HOSTS: RefusalEvent = Object.freeze({ code: 'request.malformed', component: 'server', reason: 'more than one Host header' });
const QUERY_CAP: RefusalEvent = Object.freeze({ code: 'request.too_many_query_params', component: 'server', reason: 'more than 1000 query parameters' });
const JSON_TYPE = 'application/json; charset=utf-8';

function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}

/** Two Host header fields make the target ambiguous (RFC 9112 §3.2: answer 400). */
function hasRepeatedHost(raw: string[]): boolean {
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (n.length === 4 && (n === 'Host' || n === 'host' || n.toLowerCase() === 'host')) {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

/** Compiles the whole config into a gateway. Throws ConfigError with every build problem. */
export async function buildGateway(cfg: ServiceConfig, log: Logger, opts: { debug?: boolean; dryRun?: boolean } = {}): Promise<Gateway> {
  const dryRun = opts.dryRun === true;
  const pools = new UpstreamPools(cfg.client);
  const table = new RouteTable<Handler>(cfg.router);
  const shared = new SharedRegistry();
  const problems = new Problems();
  const stages: Stage[] = [];
  const security = createSecurityLog(log);
  const registry = cfg.metrics ? new StatsRegistry() : undefined;
  const stats = registry && cfg.metrics ? { registry, proxy: cfg.metrics.proxy, backend: cfg.metrics.backend } : undefined;
  // OpenTelemetry's SDK is imported only by configs that use it (it costs a start ~100 ms).
  const telemetry = cfg.otel ? await (await import('../observability/otel/telemetry.js')).startTelemetry(cfg.otel, { dryRun }) : undefined;
  const env = { pools, client: cfg.client, router: cfg.router, service: cfg, log, shared, problems, stages, dryRun, security, stats, telemetry };
  const globalLayer = telemetry ? (await import('./otel-global.js')).compileGlobalLayer(telemetry, cfg.router, cfg.tls ? 'https' : 'http') : undefined;
  const routeOf = new WeakMap<Handler, string>();
  // Router metrics per route pattern, found from the matched handler (no lookup by path).
  const routerStats = registry && cfg.metrics?.router ? new WeakMap<Handler, EndpointMeter>() : undefined;
  const unrouted = routerStats && registry ? new EndpointMeter(registry, UNROUTED) : undefined;
  const closeAll = async () => {
    await telemetry?.shutdown();
    await Promise.allSettled(stages.map((s) => s.close?.()));
    await shared.close();
    await pools.close();
  };

  const serviceStages = await buildStages(cfg.extra, { scope: 'service', pointer: '/extra_config', service: cfg, log, shared, dryRun }, problems);
  stages.push(...serviceStages.stages);
  const serviceGuards = compileGuards(serviceStages.guards);
  for (const ep of cfg.endpoints) {
    const h: EndpointHandler = await compileEndpoint(ep, env);
    table.add(ep.method, ep.path, h);
    if (routerStats && registry) routerStats.set(h, new EndpointMeter(registry, ep.path));
    routeOf.set(h, ep.path);
  }
  if (!problems.empty) {
    await closeAll();
    throw new ConfigError(cfg.file, problems.list);
  }
  if (!cfg.router.disableHealth) {
    table.add('GET', cfg.router.healthPath, ({ res }) => {
      sendPlain(res, 200, `{"agents":{},"now":${JSON.stringify(new Date().toString())},"status":"ok"}`, [], JSON_TYPE);
    });
  }
  if (cfg.debugEndpoint || opts.debug) {
    const debug: Handler = ({ req, res }) => {
      drain(req);
      log.debug({ method: req.method, path: req.url?.split('?')[0] }, 'debug endpoint hit');
      sendPlain(res, 200, PONG, [], JSON_TYPE);
    };
    table.addAll('/__debug', debug);
    table.addAll('/__debug/*', debug);
  }
  if (cfg.echoEndpoint) {
    const echo: Handler = async ({ req, res, rawQuery }) => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > 1 << 20) return void res.destroy();
        chunks.push(c as Buffer);
      }
      const q: Record<string, string[]> = {};
      for (const [k, v] of new URLSearchParams(rawQuery)) (q[k] ??= []).push(v);
      const h: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) (h[req.rawHeaders[i]] ??= []).push(req.rawHeaders[i + 1]);
      const body = { req_uri: req.url, req_method: req.method, req_querystring: q, req_body: Buffer.concat(chunks).toString(), req_headers: h };
      sendPlain(res, 200, stringifyGo(body), [], JSON_TYPE);
    };
    table.addAll('/__echo', echo);
    table.addAll('/__echo/*', echo);
  }

  const clientIp = compileClientIp(cfg.router.trustedProxies, cfg.router.remoteIpHeaders);
  const notFoundBody = cfg.router.errorBody['404'] ? stringifyGo(cfg.router.errorBody['404']) : undefined;
  const notAllowedBody = cfg.router.errorBody['405'] ? stringifyGo(cfg.router.errorBody['405']) : undefined;
  const skipLog = new Set(cfg.router.loggerSkipPaths);
  const accessLog = cfg.router.disableAccessLog ? undefined : accessLogWriter(log);
  // Shared by every request ('finish' listener with the response as `this`): no closure each time.
  function logAccess(this: ServerResponse & ResponseBookkeeping): void {
    accessLog!(this.req.method ?? 'GET', this.accessPath, this.statusCode, performance.now() - this.accessStart, this);
  }

  /** A service-level guard's refusal: logged as a security event (before routing). */
  function refuse(ctx: RequestContext, rej: Rejection): void {
    drain(ctx.req);
    if (rej.event) security(ctx, undefined, rej.status, rej.event);
    sendRejection(ctx.res, rej);
  }

  /** Refused before any context exists: malformed targets, ambiguous Host, too many parameters. */
  function refuseEarly(req: IncomingMessage, res: ServerResponse, method: string, path: string, status: number, event: RefusalEvent): void {
    drain(req);
    security({ method, path, clientIp: clientIp(req) }, undefined, status, event);
    sendPlain(res, status, '', ['connection', 'close'], undefined);
  }

  // Shared by every request ('finish' listener with the response as `this`), as logAccess.
  function recordRouter(this: ServerResponse & ResponseBookkeeping): void {
    const m = this.statsMeter ?? unrouted!;
    m.status(this.statusCode).n++;
    m.time.record(performance.now() - this.statsStart);
    const sock = this.req.socket;
    if (sock) m.size.record(sock.bytesWritten - this.statsBytes);
  }

  function notFound(res: ServerResponse): void {
    if (notFoundBody) sendPlain(res, 404, notFoundBody, [COMPLETED_HEADER, 'false'], JSON_TYPE);
    else sendPlain(res, 404, '404 page not found', [], 'text/plain');
  }

  function onError(res: ServerResponse, err: unknown, path: string): void {
    replyCrashed(log, res, err, path);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
    const method = req.method ?? 'GET';
    if (accessLog !== undefined && !skipLog.has(path)) {
      const r = res as ServerResponse & ResponseBookkeeping;
      r.accessStart = performance.now();
      r.accessPath = path;
      res.on('finish', logAccess);
    }
    if (routerStats !== undefined) {
      const r = res as ServerResponse & ResponseBookkeeping;
      r.statsStart = performance.now();
      r.statsBytes = req.socket?.bytesWritten ?? 0;
      res.on('finish', recordRouter);
    }
    if (path.charCodeAt(0) !== 47 /* '/' */) return refuseEarly(req, res, method, '', 400, NOT_ORIGIN_FORM);
    if (hasRepeatedHost(req.rawHeaders)) return refuseEarly(req, res, method, path, 400, TWO_HOSTS);
    if (tooManyQueryParams(rawQuery)) return refuseEarly(req, res, method, path, 414, QUERY_CAP);
    const ctx = new GatewayRequestContext(req, res, method, path, rawQuery, clientIp(req));
    if (globalLayer !== undefined) globalLayer(ctx);
    if (accessLog !== undefined) (res as ServerResponse & ResponseBookkeeping).accessIp = ctx.clientIp;
    if (serviceGuards) {
      let r: ReturnType<typeof serviceGuards>;
      try {
        r = serviceGuards(ctx);
      } catch (err) {
        // A guard that throws synchronously must still answer (500), never leave the client hanging.
        return onError(res, err, path);
      }
      if (r instanceof Promise) {
        r.then(
          (rej) => (rej ? refuse(ctx, rej) : route(ctx)),
          (err) => onError(res, err, path),
        );
        return;
      }
      if (r) return refuse(ctx, r);
    }
    route(ctx);
  }

  function route(ctx: RequestContext): void {
    const { req, res, method, path, rawQuery } = ctx;
    let m;
    try {
      m = table.find(method, path);
    } catch {
      m = undefined;
    }
    if (m) {
      if (routerStats !== undefined) (res as ServerResponse & ResponseBookkeeping).statsMeter = routerStats.get(m.value);
      if (globalLayer !== undefined) (res as ServerResponse & OtelResponse).otelRoute = routeOf.get(m.value);
      try {
        ctx.params = m.params;
        const p = m.value(ctx);
        if (p) (p as Promise<void>).catch((err) => onError(res, err, path));
      } catch (err) {
        onError(res, err, path);
      }
      return;
    }
    drain(req);
    try {
      decodeURI(path);
    } catch {
      return void sendPlain(res, 400, '', [], undefined);
    }
    const miss = table.miss(method, path, rawQuery);
    switch (miss.kind) {
      case 'method-not-allowed':
        if (notAllowedBody) return void sendPlain(res, 405, notAllowedBody, [COMPLETED_HEADER, 'false'], JSON_TYPE);
        return void sendPlain(res, 405, '405 method not allowed', [COMPLETED_HEADER, 'false'], 'text/plain');
      case 'options':
        return void sendPlain(res, 200, '', ['allow', miss.allow.join(', ')], undefined);
      case 'redirect':
        return void sendPlain(res, miss.status, '', ['location', miss.location], undefined);
      default:
        return notFound(res);
    }
  }

  return {
    handle,
    close: closeAll,
    stats: registry,
    telemetry,
  };
}
