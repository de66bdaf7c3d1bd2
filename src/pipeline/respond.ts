// The response phase and the one response writer. Every answer of the gateway — proxied, static,
// error, rejection, 404/405, built-in routes — goes through `respond`: the response hooks of the
// stages the request got past run (endpoint level, then service level, each in the reverse of
// execution order), then `writeAnswer` puts status, headers and body on the wire, once.
// No component writes to Node's response object (ARCHITECTURE.md "Both directions are phases").
import type { ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { Answer } from '../core/answer.js';
import type { RequestContext, ResponseHook } from '../core/request.js';
import type { Data } from '../core/backend-result.js';
import type { Logger } from '../observability/logger.js';

/** A stage's hook and the number of guards before and including its own: it runs on an answer
 * when the request got past them (refusedAt >= after). */
export interface HookEntry {
  readonly hook: ResponseHook;
  readonly after: number;
}

/** Hooks in execution order (run last to first); null when there are none. */
export type HookList = readonly HookEntry[] | null;

/** Encodes a proxied answer's data (the endpoint's output encoding), after the hooks. */
export type DataEncoder = (data: Data, accept: string | undefined) => { contentType: string; body: string | Buffer };

export interface ResponsePlan {
  readonly endpointHooks: HookList;
  readonly serviceHooks: HookList;
  readonly encode: DataEncoder | undefined;
}

// RFC 9113 §8.2.2: fields HTTP/2 forbids; a backend's are dropped rather than failing the stream.
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

function withoutConnectionSpecific(list: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i += 2) if (!CONNECTION_SPECIFIC.has(list[i].toLowerCase())) out.push(list[i], list[i + 1]);
  return out;
}

function hasHeader(list: readonly string[], name: string): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return true;
  return false;
}

/** writeHead with a flat list, the one place status and headers are written. */
export function writeHeadOnce(res: ServerResponse, status: number, list: string[]): void {
  res.writeHead(status, res.req.httpVersionMajor === 2 ? withoutConnectionSpecific(list) : list);
}

function isStream(body: Answer['body']): body is Readable {
  return typeof body !== 'string' && !Buffer.isBuffer(body);
}

/** Puts the answer on the wire: a content-length from a whole body unless the answer carries
 * one (a no-op answer keeps its backend's), and a stream piped with backpressure. */
export function writeAnswer(res: ServerResponse, a: Answer, encode: DataEncoder | undefined): void {
  if (res.headersSent) return void res.destroy();
  let body = a.body;
  const headers = a.headers;
  if (a.data !== undefined && encode !== undefined) {
    const r = encode(a.data, res.req.headers.accept);
    body = r.body;
    if (!hasHeader(headers, 'content-type')) headers.push('content-type', r.contentType);
  }
  if (a.close) headers.push('connection', 'close');
  if (isStream(body)) {
    writeHeadOnce(res, a.status, headers);
    pipeline(body, res, (err) => {
      if (err) res.destroy();
    });
    return;
  }
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  // RFC 9110 §8.6: none on 204/304; a HEAD answer without a body keeps what its producer said.
  if (!hasHeader(headers, 'content-length') && a.status !== 204 && a.status !== 304 && !(length === 0 && res.req.method === 'HEAD'))
    headers.push('content-length', String(length));
  writeHeadOnce(res, a.status, headers);
  res.end(body);
}

/** Runs the hooks that apply (from last to first) and returns the final answer; a promise only
 * when a hook returns one. */
export function runHooks(ctx: RequestContext, a: Answer, hooks: readonly HookEntry[], refusedAt: number): Answer | Promise<Answer> {
  for (let i = hooks.length - 1; i >= 0; i--) {
    const e = hooks[i];
    if (refusedAt < e.after) continue;
    const r = e.hook(ctx, a);
    if (r instanceof Promise) return finishAsync(ctx, a, hooks, refusedAt, i, r);
    if (r !== undefined) a = r;
  }
  return a;
}

async function finishAsync(
  ctx: RequestContext,
  a: Answer,
  hooks: readonly HookEntry[],
  refusedAt: number,
  i: number,
  pending: Promise<Answer | void>,
): Promise<Answer> {
  const first = await pending;
  let out = first === undefined ? a : first;
  for (let j = i - 1; j >= 0; j--) {
    const e = hooks[j];
    if (refusedAt < e.after) continue;
    const r = await e.hook(ctx, out);
    if (r !== undefined) out = r;
  }
  return out;
}

/**
 * Answers a request: endpoint hooks, service hooks, the writer. A hook that throws turns the
 * answer into an empty 500 (logged without the request's values), never a hung client.
 */
export function respond(ctx: RequestContext, a: Answer, plan: ResponsePlan, log: Logger): void | Promise<void> {
  if (plan.endpointHooks === null && plan.serviceHooks === null) return writeAnswer(ctx.res, a, plan.encode);
  try {
    let r: Answer | Promise<Answer> = a;
    if (plan.endpointHooks !== null) r = runHooks(ctx, a, plan.endpointHooks, ctx.endpointRefusedAt);
    if (r instanceof Promise)
      return r.then(
        (x) => serviceLevel(ctx, x, plan, log),
        (err) => hookFailed(ctx, a, err, log),
      );
    return serviceLevel(ctx, r, plan, log);
  } catch (err) {
    return hookFailed(ctx, a, err, log);
  }
}

function serviceLevel(ctx: RequestContext, a: Answer, plan: ResponsePlan, log: Logger): void | Promise<void> {
  try {
    if (plan.serviceHooks === null) return writeAnswer(ctx.res, a, plan.encode);
    const r = runHooks(ctx, a, plan.serviceHooks, ctx.serviceRefusedAt);
    if (r instanceof Promise)
      return r.then(
        (x) => writeAnswer(ctx.res, x, plan.encode),
        (err) => hookFailed(ctx, a, err, log),
      );
    writeAnswer(ctx.res, r, plan.encode);
  } catch (err) {
    hookFailed(ctx, a, err, log);
  }
}

function hookFailed(ctx: RequestContext, a: Answer, err: unknown, log: Logger): void {
  log.error({ err: { message: (err as Error)?.message }, path: ctx.path }, 'response hook failed');
  if (isStream(a.body)) a.body.destroy();
  const res = ctx.res;
  if (res.headersSent) return void res.destroy();
  writeHeadOnce(res, 500, ['content-length', '0']);
  res.end();
}
