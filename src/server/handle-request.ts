// The one function node:http calls per request: early refusals (malformed target, two Hosts,
// too many query parameters), the request context, service-level guards, routing, and the
// matched route's handler or the answer for a miss. Runs a GatewayPlan built by gateway.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Rejection, RequestContext } from '../core/request.js';
import type { GuardRunner } from '../pipeline/build-stages.js';
import type { ResponseBookkeeping } from '../pipeline/http-response.js';
import { crashAnswer } from '../pipeline/crash.js';
import { plainAnswer, rejectionAnswer } from '../pipeline/replies.js';
import { respond, type ResponsePlan } from '../pipeline/respond.js';
import type { EndpointMeter } from '../pipeline/metrics-meters.js';
import { tooManyQueryParams } from '../proxy/forward-query.js';
import type { RefusalEvent, SecurityLog } from '../observability/security-events.js';
import type { AccessLog, Logger } from '../observability/logger.js';
import type { Miss, RouteTable } from '../router/route-table.js';
import type { ClientIpResolver } from '../net/client-ip.js';
import { GatewayRequestContext } from './request-context.js';
import { drain, type RouteHandler } from './builtin-routes.js';
import type { ServerSpanState } from './otel-global.js';

export interface GatewayPlan {
  /** The route table (an upgrade sees a view of it: server/handle-upgrade.ts). */
  readonly table: Pick<RouteTable<RouteHandler>, 'find' | 'miss'>;
  readonly clientIp: ClientIpResolver;
  readonly serviceGuards: GuardRunner | null;
  /** Service-level hooks only (answers before routing and for misses). */
  readonly response: ResponsePlan;
  readonly miss: (ctx: RequestContext, miss: Miss) => void | Promise<void>;
  readonly log: Logger;
  readonly security: SecurityLog;
  readonly accessLog: AccessLog | undefined;
  readonly skipLog: ReadonlySet<string>;
  /** telemetry/metrics router layer: meters by matched handler, and the one for misses. */
  readonly routerStats: WeakMap<RouteHandler, EndpointMeter> | undefined;
  readonly unrouted: EndpointMeter | undefined;
  /** telemetry/opentelemetry: the server span per request, and the route pattern by handler. */
  readonly globalLayer: ((ctx: RequestContext) => void) | undefined;
  readonly routeOf: WeakMap<RouteHandler, string>;
}

const NOT_ORIGIN_FORM: RefusalEvent = Object.freeze({ code: 'request.malformed', component: 'server', reason: 'request target is not a path' });
const TWO_HOSTS: RefusalEvent = Object.freeze({ code: 'request.malformed', component: 'server', reason: 'more than one Host header' });
const QUERY_CAP: RefusalEvent = Object.freeze({ code: 'request.too_many_query_params', component: 'server', reason: 'more than 1000 query parameters' });

/** Two Host header fields make the target ambiguous (RFC 9112 §3.2: answer 400). */
export function hasRepeatedHost(raw: string[]): boolean {
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

type Res = ServerResponse & ResponseBookkeeping;

export function compileRequestHandler(plan: GatewayPlan): (req: IncomingMessage, res: ServerResponse) => void {
  const { table, clientIp, serviceGuards, response, log, security, accessLog, skipLog, routerStats, unrouted, globalLayer, routeOf } = plan;

  // Shared by every request ('finish' listener with the response as `this`): no closure each time.
  // Made only when the plan has what they use (gateway.ts sets routerStats and unrouted together).
  const logAccess =
    accessLog === undefined
      ? undefined
      : function (this: Res): void {
          accessLog(this.req.method ?? 'GET', this.accessPath, this.statusCode, performance.now() - this.accessStart, this);
        };

  const recordRouter =
    routerStats === undefined || unrouted === undefined
      ? undefined
      : function (this: Res): void {
          const m = this.statsMeter ?? unrouted;
          m.status(this.statusCode).n++;
          m.time.record(performance.now() - this.statsStart);
          const sock = this.req.socket;
          if (sock) m.size.record(sock.bytesWritten - this.statsBytes);
        };

  function crashed(ctx: RequestContext, err: unknown): void {
    crashAnswer(log, ctx, err, response);
  }

  /** A service-level guard's refusal: logged as a security event (before routing). */
  function refuse(ctx: RequestContext, rej: Rejection): void | Promise<void> {
    drain(ctx.req);
    if (rej.event) security(ctx, undefined, rej.status, rej.event);
    return respond(ctx, rejectionAnswer(rej), response, log);
  }

  /** Refused before any context exists: no stage ran, so no hook does either. */
  function refuseEarly(req: IncomingMessage, res: ServerResponse, method: string, path: string, status: number, event: RefusalEvent): void {
    drain(req);
    security({ method, path, clientIp: clientIp(req) }, undefined, status, event);
    const ctx = new GatewayRequestContext(req, res, method, path, '', '');
    ctx.serviceRefusedAt = -1;
    const a = plainAnswer(status, '', [], undefined);
    a.close = true;
    respond(ctx, a, response, log);
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
      if (routerStats !== undefined) (res as Res).statsMeter = routerStats.get(m.value);
      if (globalLayer !== undefined) {
        const st = (res as Res).otel as ServerSpanState | undefined;
        if (st !== undefined) st.route = routeOf.get(m.value);
      }
      try {
        ctx.params = m.params;
        const p = m.value(ctx);
        if (p) (p as Promise<void>).catch((err) => crashed(ctx, err));
      } catch (err) {
        crashed(ctx, err);
      }
      return;
    }
    drain(req);
    try {
      decodeURI(path);
    } catch {
      return void respond(ctx, plainAnswer(400, '', [], undefined), response, log);
    }
    const p = plan.miss(ctx, table.miss(method, path, rawQuery));
    if (p) p.catch((err) => crashed(ctx, err));
  }

  function afterGuards(ctx: RequestContext, rej: Rejection | undefined): void {
    if (!rej) return route(ctx);
    const p = refuse(ctx, rej);
    if (p) p.catch((err) => crashed(ctx, err));
  }

  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const path = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
    const method = req.method ?? 'GET';
    if (logAccess !== undefined && !skipLog.has(path)) {
      const r = res as Res;
      r.accessStart = performance.now();
      r.accessPath = path;
      res.on('finish', logAccess);
    }
    if (recordRouter !== undefined) {
      const r = res as Res;
      r.statsStart = performance.now();
      r.statsBytes = req.socket?.bytesWritten ?? 0;
      res.on('finish', recordRouter);
    }
    if (path.charCodeAt(0) !== 47 /* '/' */) return refuseEarly(req, res, method, '', 400, NOT_ORIGIN_FORM);
    if (hasRepeatedHost(req.rawHeaders)) return refuseEarly(req, res, method, path, 400, TWO_HOSTS);
    if (tooManyQueryParams(rawQuery)) return refuseEarly(req, res, method, path, 414, QUERY_CAP);
    const ctx = new GatewayRequestContext(req, res, method, path, rawQuery, clientIp(req));
    if (globalLayer !== undefined) globalLayer(ctx);
    if (accessLog !== undefined) (res as Res).accessIp = ctx.clientIp;
    if (serviceGuards) {
      let r: ReturnType<typeof serviceGuards>;
      try {
        r = serviceGuards(ctx);
      } catch (err) {
        // A guard that throws synchronously must still answer (500), never leave the client hanging.
        ctx.serviceRefusedAt = -1;
        return crashed(ctx, err);
      }
      if (r instanceof Promise) {
        r.then(
          (rej) => afterGuards(ctx, rej),
          (err) => {
            ctx.serviceRefusedAt = -1;
            crashed(ctx, err);
          },
        );
        return;
      }
      if (r) return afterGuards(ctx, r);
    }
    route(ctx);
  };
}
