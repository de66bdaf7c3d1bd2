// The gateway's own routes and answers: /__health, /__debug, /__echo, and what an unmatched
// request gets (404, 405, OPTIONS, trailing-slash redirects). All answered through the response
// phase, so service-level hooks (CORS, security headers) apply to them as to any answer.
import type { IncomingMessage } from 'node:http';
import type { ServiceConfig } from '../config/types.js';
import type { RequestContext } from '../core/request.js';
import { COMPLETED_HEADER } from '../core/version.js';
import { stringifyGo } from '../encoding/json-go.js';
import type { Logger } from '../observability/logger.js';
import { plainAnswer } from '../pipeline/replies.js';
import { respond, type ResponsePlan } from '../pipeline/respond.js';
import type { Miss } from '../router/route-table.js';

export type RouteHandler = (ctx: RequestContext) => void | Promise<void>;

const PONG = '{"message":"pong"}';
const JSON_TYPE = 'application/json; charset=utf-8';

export function drain(req: IncomingMessage): void {
  if (!req.complete) req.resume();
}

export function healthRoute(plan: ResponsePlan, log: Logger): RouteHandler {
  return (ctx) => respond(ctx, plainAnswer(200, `{"agents":{},"now":${JSON.stringify(new Date().toString())},"status":"ok"}`, [], JSON_TYPE), plan, log);
}

export function debugRoute(plan: ResponsePlan, log: Logger): RouteHandler {
  return (ctx) => {
    drain(ctx.req);
    log.debug({ method: ctx.method, path: ctx.path }, 'debug endpoint hit');
    return respond(ctx, plainAnswer(200, PONG, [], JSON_TYPE), plan, log);
  };
}

/** KrakenD's /__echo: the request as JSON (body bounded to 1 MiB). */
export function echoRoute(plan: ResponsePlan, log: Logger): RouteHandler {
  return async (ctx) => {
    const { req, rawQuery } = ctx;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1 << 20) return void ctx.res.destroy();
      chunks.push(c as Buffer);
    }
    const q: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(rawQuery)) (q[k] ??= []).push(v);
    const h: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) (h[req.rawHeaders[i]] ??= []).push(req.rawHeaders[i + 1]);
    const body = { req_uri: req.url, req_method: req.method, req_querystring: q, req_body: Buffer.concat(chunks).toString(), req_headers: h };
    return respond(ctx, plainAnswer(200, stringifyGo(body), [], JSON_TYPE), plan, log);
  };
}

/** Answers for requests no route matched, built once. */
export function compileMissAnswers(cfg: ServiceConfig, plan: ResponsePlan, log: Logger): (ctx: RequestContext, miss: Miss) => void | Promise<void> {
  const notFoundBody = cfg.router.errorBody['404'] ? stringifyGo(cfg.router.errorBody['404']) : undefined;
  const notAllowedBody = cfg.router.errorBody['405'] ? stringifyGo(cfg.router.errorBody['405']) : undefined;
  return (ctx, miss) => {
    switch (miss.kind) {
      case 'method-not-allowed':
        if (notAllowedBody) return respond(ctx, plainAnswer(405, notAllowedBody, [COMPLETED_HEADER, 'false'], JSON_TYPE), plan, log);
        return respond(ctx, plainAnswer(405, '405 method not allowed', [COMPLETED_HEADER, 'false'], 'text/plain'), plan, log);
      case 'options':
        return respond(ctx, plainAnswer(200, '', ['allow', miss.allow.join(', ')], undefined), plan, log);
      case 'redirect':
        return respond(ctx, plainAnswer(miss.status, '', ['location', miss.location], undefined), plan, log);
      default:
        if (notFoundBody) return respond(ctx, plainAnswer(404, notFoundBody, [COMPLETED_HEADER, 'false'], JSON_TYPE), plan, log);
        return respond(ctx, plainAnswer(404, '404 page not found', [], 'text/plain'), plan, log);
    }
  };
}
