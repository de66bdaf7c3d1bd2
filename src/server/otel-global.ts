// telemetry/opentelemetry's global layer: one server span and the server metrics per request,
// from arrival to the last byte written. The span is named "<METHOD> <route pattern>" once the
// request is routed ("<METHOD> 404 Not Found" otherwise, as KrakenD's metrics label unmatched
// routes), so span names and metric series stay bounded whatever paths clients send. url.path
// is recorded without the query string. An incoming traceparent is believed only from a peer in
// router.trusted_proxies (KrakenD believes anyone), and never with disable_propagation.
// Per request: one span object, one state object (on the response's declared `otel` slot), one
// shared 'close' listener, and the span's bytes written from parts encoded once per route and
// method (span-parts.ts).
import type { ServerResponse } from 'node:http';
import type { RouterOptions } from '../config/types.js';
import type { RequestContext } from '../components/types.js';
import { boundedMethod } from '../observability/otel/context.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { compileServerSeries, type ServerSeries } from '../observability/otel/series-cache.js';
import { nowMs, SPAN_KIND, type LeanSpan } from '../observability/otel/lean-tracer.js';
import { errorStatus, fixedPart, remoteParent, writeHeaders } from '../observability/otel/span-parts.js';
import { keyBytes, PbWriter } from '../observability/otel/pb-writer.js';
import { compileTrustedPeer } from '../net/client-ip.js';

export const UNMATCHED_ROUTE = '404 Not Found';

/** The layer's state of one request, on its response's `otel` slot (declared by GatewayResponse:
 * one object, no properties added to the response, no closure per request). The gateway sets
 * `route` when routing. */
export class ServerSpanState {
  /** The matched route pattern; undefined: unmatched. */
  route: string | undefined = undefined;
  constructor(
    readonly ctx: RequestContext,
    readonly span: LeanSpan | undefined,
    /** Arrival, ms since the epoch (nowMs: the span's start too). */
    readonly t0: number,
    readonly bytes0: number,
  ) {}
}

interface Tracked extends ServerResponse {
  otel: unknown;
}

export type GlobalLayer = (ctx: RequestContext) => void;

/** skip_paths as a test: the exact paths, then entries written with a trailing slash ("/__debug/"),
 * which cover what is under them. */
export function compileSkip(paths: ReadonlySet<string>): (path: string) => boolean {
  const prefixes = [...paths].filter((p) => p.endsWith('/'));
  if (prefixes.length === 0) return (path) => paths.has(path);
  return (path) => {
    if (paths.has(path)) return true;
    for (const p of prefixes) if (path.startsWith(p) || path === p.slice(0, -1)) return true;
    return false;
  };
}

/** What the layer needs of one route pattern and method, made on its first request: its server
 * spans' fixed part and its parts by status code. */
interface RouteParts {
  /** Name, kind, http.route, http.request.method, url.scheme and the static attributes. */
  fixed: Buffer | undefined;
  /** Whether skip_paths leaves the route out of the metrics. */
  metered: boolean;
  byStatus: Map<number, StatusParts>;
}

/** One status code of a route and method: its series, and the span's fixed part followed by
 * http.response.status_code (one copy per span instead of an encoding). */
interface StatusParts {
  series: ServerSeries | undefined;
  fixed: Buffer | undefined;
}

const K_PATH = keyBytes('url.path');
const K_CLIENT = keyBytes('client.address');
const K_AGENT = keyBytes('user_agent.original');
const K_STATUS = keyBytes('http.response.status_code');
const ERROR = errorStatus();
const CLIENT_GONE = errorStatus('client went away');

export function compileGlobalLayer(t: Telemetry, router: RouterOptions, scheme: 'http' | 'https'): GlobalLayer | undefined {
  const g = t.settings.global;
  const tracer = g.traces ? t.tracer : undefined;
  const duration = t.serverDuration;
  const size = t.serverSize;
  if (!tracer && !duration && !size) return undefined;
  const trusted = compileTrustedPeer(router.trustedProxies);
  const skipped = compileSkip(t.settings.skipPaths);
  const seriesOf: ((route: string, method: string, status: number) => ServerSeries) | undefined =
    duration || size ? compileServerSeries(duration, size, scheme, g.metricAttrs) : undefined;
  const { reportHeaders, skipHeaders, propagation, traceAttrs } = g;

  // Routes come from the config plus one label for unmatched ones; Node's parser bounds methods.
  const routes = new Map<string, Map<string, RouteParts>>();
  function partsOf(route: string, method: string): RouteParts {
    let byMethod = routes.get(route);
    if (byMethod === undefined) routes.set(route, (byMethod = new Map()));
    let p = byMethod.get(method);
    if (p === undefined) {
      const attrs = { 'http.route': route, 'http.request.method': boundedMethod(method), 'url.scheme': scheme, ...traceAttrs };
      p = {
        fixed: tracer ? fixedPart(`${method} ${route}`, SPAN_KIND.SERVER, attrs) : undefined,
        metered: seriesOf !== undefined && !skipped(route),
        byStatus: new Map(),
      };
      byMethod.set(method, p);
    }
    return p;
  }

  function statusParts(p: RouteParts, route: string, method: string, status: number): StatusParts {
    let sp = p.byStatus.get(status);
    if (sp === undefined) {
      let fixed: Buffer | undefined;
      if (p.fixed !== undefined) {
        const w = new PbWriter(p.fixed.length + 64);
        w.raw(p.fixed);
        w.intAttr(K_STATUS, status);
        fixed = w.take();
      }
      sp = { series: p.metered && seriesOf !== undefined ? seriesOf(route, boundedMethod(method), status) : undefined, fixed };
      p.byStatus.set(status, sp);
    }
    return sp;
  }

  function finish(res: Tracked, st: ServerSpanState, aborted: boolean): void {
    const ctx = st.ctx;
    const route = st.route ?? UNMATCHED_ROUTE;
    const status = res.statusCode;
    const method = ctx.method;
    const parts = statusParts(partsOf(route, method), route, method, status);
    const t1 = nowMs();
    const s = parts.series;
    if (s !== undefined) {
      s.duration?.record((t1 - st.t0) / 1000);
      s.size?.record((ctx.req.socket?.bytesWritten ?? st.bytes0) - st.bytes0);
    }
    const span = st.span;
    if (tracer === undefined || span === undefined || !span.sampled || parts.fixed === undefined) return;
    const w = tracer.open(span, t1);
    w.raw(parts.fixed);
    w.stringAttr(K_PATH, ctx.path);
    w.stringAttr(K_CLIENT, ctx.clientIp);
    const agent = ctx.req.headers['user-agent'];
    w.stringAttr(K_AGENT, agent === undefined ? '' : agent.length > 256 ? agent.slice(0, 256) : agent);
    if (reportHeaders) writeHeaders(w, ctx.req.rawHeaders, skipHeaders);
    if (aborted) w.raw(CLIENT_GONE);
    else if (status >= 500) w.raw(ERROR);
    tracer.commit();
  }

  // One listener, shared: 'close' follows 'finish' for every answered response, and comes alone
  // when the client went away; writableFinished tells the two apart.
  function onClose(this: Tracked): void {
    const st = this.otel;
    if (st instanceof ServerSpanState) finish(this, st, !this.writableFinished);
  }

  return (ctx) => {
    const { req, path } = ctx;
    if (skipped(path)) return;
    const res = ctx.res as Tracked;
    const t0 = nowMs();
    let span: LeanSpan | undefined;
    if (tracer) {
      const parent = propagation && trusted(req) ? remoteParent(req.headers) : undefined;
      span = tracer.start(parent, t0);
      ctx.traceContext = span;
    }
    res.otel = new ServerSpanState(ctx, span, t0, req.socket?.bytesWritten ?? 0);
    res.on('close', onClose);
  };
}
