// telemetry/opentelemetry's global layer: one server span and the server metrics per request,
// from arrival to the last byte written. The span is named "<METHOD> <route pattern>" once the
// request is routed ("<METHOD> 404 Not Found" otherwise, as KrakenD's metrics label unmatched
// routes), so span names and metric series stay bounded whatever paths clients send. url.path
// is recorded without the query string. An incoming traceparent is believed only from a peer in
// router.trusted_proxies (KrakenD believes anyone), and never with disable_propagation.
// Per request: one span object, one shared 'close' listener (state on the response), and the
// span's bytes written from parts encoded once per route and method (span-parts.ts).
import type { ServerResponse } from 'node:http';
import type { RouterOptions } from '../config/types.js';
import type { RequestContext } from '../components/types.js';
import { boundedMethod } from '../observability/otel/context.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { compileServerSeries, type ServerSeries } from '../observability/otel/series-cache.js';
import { nowMs, SPAN_KIND, type LeanSpan } from '../observability/otel/lean-tracer.js';
import { errorStatus, fixedPart, remoteParent, writeHeaders } from '../observability/otel/span-parts.js';
import { keyBytes } from '../observability/otel/pb-writer.js';
import { compileTrustedPeer } from '../net/client-ip.js';

export const UNMATCHED_ROUTE = '404 Not Found';

/** What the response carries for the global layer (set by the gateway when routing). */
export interface OtelResponse {
  otelRoute: string | undefined;
}

/** The layer's state of one request, on its response (no closure per request). */
interface Tracked extends ServerResponse, OtelResponse {
  otelCtx: RequestContext;
  otelSpan: LeanSpan | undefined;
  /** Arrival, ms since the epoch (nowMs: the span's start too). */
  otelT0: number;
  otelBytes0: number;
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
 * spans' fixed part and its series by status code (none when skip_paths leaves the route out). */
interface RouteParts {
  /** Name, kind, http.route, http.request.method, url.scheme and the static attributes. */
  fixed: Buffer | undefined;
  series: Map<number, ServerSeries> | undefined;
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
        series: seriesOf && !skipped(route) ? new Map() : undefined,
      };
      byMethod.set(method, p);
    }
    return p;
  }

  function finish(res: Tracked, aborted: boolean): void {
    const ctx = res.otelCtx;
    const route = res.otelRoute ?? UNMATCHED_ROUTE;
    const status = res.statusCode;
    const method = ctx.method;
    const parts = partsOf(route, method);
    const t1 = nowMs();
    if (parts.series !== undefined && seriesOf !== undefined) {
      let s = parts.series.get(status);
      if (s === undefined) parts.series.set(status, (s = seriesOf(route, boundedMethod(method), status)));
      s.duration?.record((t1 - res.otelT0) / 1000);
      s.size?.record((ctx.req.socket?.bytesWritten ?? res.otelBytes0) - res.otelBytes0);
    }
    const span = res.otelSpan;
    if (tracer === undefined || span === undefined || !span.sampled || parts.fixed === undefined) return;
    const w = tracer.open(span, t1);
    w.raw(parts.fixed);
    w.stringAttr(K_PATH, ctx.path);
    w.stringAttr(K_CLIENT, ctx.clientIp);
    const agent = ctx.req.headers['user-agent'];
    w.stringAttr(K_AGENT, agent === undefined ? '' : agent.length > 256 ? agent.slice(0, 256) : agent);
    w.intAttr(K_STATUS, status);
    if (reportHeaders) writeHeaders(w, ctx.req.rawHeaders, skipHeaders);
    if (aborted) w.raw(CLIENT_GONE);
    else if (status >= 500) w.raw(ERROR);
    tracer.commit();
  }

  // One listener, shared: 'close' follows 'finish' for every answered response, and comes alone
  // when the client went away; writableFinished tells the two apart.
  function onClose(this: Tracked): void {
    finish(this, !this.writableFinished);
  }

  return (ctx) => {
    const { req, path } = ctx;
    if (skipped(path)) return;
    const res = ctx.res as Tracked;
    const t0 = nowMs();
    res.otelCtx = ctx;
    res.otelT0 = t0;
    res.otelBytes0 = req.socket?.bytesWritten ?? 0;
    if (tracer) {
      const parent = propagation && trusted(req) ? remoteParent(req.headers) : undefined;
      const span = tracer.start(parent, t0);
      res.otelSpan = span;
      ctx.traceContext = span;
    } else res.otelSpan = undefined;
    res.on('close', onClose);
  };
}
