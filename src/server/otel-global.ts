// telemetry/opentelemetry's global layer: one server span and the server metrics per request,
// from arrival to the last byte written. The span is named "<METHOD> <route pattern>" once the
// request is routed ("<METHOD> 404 Not Found" otherwise, as KrakenD's metrics label unmatched
// routes), so span names and metric series stay bounded whatever paths clients send. url.path
// is recorded without the query string. An incoming traceparent is believed only from a peer in
// router.trusted_proxies (KrakenD believes anyone), and never with disable_propagation.
import type { ServerResponse } from 'node:http';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { RouterOptions } from '../config/types.js';
import type { RequestContext } from '../components/types.js';
import { boundedMethod, extractContext, headerAttributes, SpanKind } from '../observability/otel/context.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { compileServerSeries } from '../observability/otel/series-cache.js';
import { compileTrustedPeer } from '../net/client-ip.js';

export const UNMATCHED_ROUTE = '404 Not Found';

/** What the response carries for the global layer (set by the gateway when routing). */
export interface OtelResponse {
  otelRoute: string | undefined;
}

export type GlobalLayer = (ctx: RequestContext) => void;

function skipped(paths: ReadonlySet<string>, path: string): boolean {
  if (paths.has(path)) return true;
  // Entries written with a trailing slash ("/__debug/") cover what is under them.
  for (const p of paths) if (p.endsWith('/') && (path.startsWith(p) || path === p.slice(0, -1))) return true;
  return false;
}

export function compileGlobalLayer(t: Telemetry, router: RouterOptions, scheme: 'http' | 'https'): GlobalLayer | undefined {
  const g = t.settings.global;
  const tracer = g.traces ? t.tracer : undefined;
  const duration = t.serverDuration;
  const size = t.serverSize;
  if (!tracer && !duration && !size) return undefined;
  const trusted = compileTrustedPeer(router.trustedProxies);
  const skip = t.settings.skipPaths;
  const seriesOf = duration || size ? compileServerSeries(duration, size, scheme, g.metricAttrs) : undefined;
  const traceAttrs = g.traceAttrs;
  const hasTraceAttrs = Object.keys(traceAttrs).length > 0;
  return (ctx) => {
    const { req, res, path, method } = ctx;
    if (skipped(skip, path)) return;
    const t0 = performance.now();
    const bytes0 = req.socket?.bytesWritten ?? 0;
    let span: Span | undefined;
    if (tracer) {
      const parent = g.propagation && trusted(req) ? extractContext(req.headers) : ROOT_CONTEXT;
      const attributes: Attributes = {
        'http.request.method': boundedMethod(method),
        'url.path': path,
        'url.scheme': scheme,
        'client.address': ctx.clientIp,
        'user_agent.original': String(req.headers['user-agent'] ?? '').slice(0, 256),
      };
      span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: hasTraceAttrs ? Object.assign(attributes, traceAttrs) : attributes }, parent);
      // An unsampled request's span records nothing: no header attributes to build.
      if (g.reportHeaders && span.isRecording()) span.setAttributes(headerAttributes('http.request.header', req.rawHeaders, g.skipHeaders));
      ctx.traceContext = trace.setSpan(parent, span);
    }
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      const route = (res as ServerResponse & OtelResponse).otelRoute ?? UNMATCHED_ROUTE;
      const status = res.statusCode;
      if (seriesOf && !skipped(skip, route)) {
        const s = seriesOf(route, boundedMethod(method), status);
        s.duration?.record((performance.now() - t0) / 1000);
        s.size?.record((req.socket?.bytesWritten ?? bytes0) - bytes0);
      }
      if (span) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', status);
        if (aborted) span.setStatus({ code: SpanStatusCode.ERROR, message: 'client went away' });
        else if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    };
    // One listener: 'close' follows 'finish' (next tick) for every answered response, and comes
    // alone when the client went away; writableFinished tells the two apart.
    res.on('close', () => finish(!res.writableFinished));
  };
}
