// telemetry/opentelemetry's proxy and backend layers as `around` wrappers (the global layer is in
// server/otel-global.ts). Built once per endpoint and backend with that route's settings (an
// endpoint or backend override replaces the service's layer, as KrakenD); per request they start a
// span under the request's context, record one duration, and hand the backend the gateway's own
// traceparent.
//   proxy    span "<METHOD> <route> proxy" (internal); krakend.proxy.duration
//   backend  span "<METHOD> <url_pattern>" (client); krakend.backend.duration
// Attributes: krakend.endpoint.route, krakend.endpoint.method, error, canceled, complete (and for
// backends url.template, server.address, http.response.status_code when known), plus the
// layer's static attributes; with report_headers, the headers sent upstream minus credentials.
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { EndpointConfig, BackendConfig } from '../config/types.js';
import type { BackendFlags, LayerFlags } from '../config/normalize-otel.js';
import { GatewayError } from '../core/gateway-error.js';
import { headerAttributes, SpanKind, traceHeadersOf } from '../observability/otel/context.js';
import { compileOutcomeSeries, outcomeIndex } from '../observability/otel/series-cache.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { completeOf, failureOf, type BackendHandler, type CallInput } from '../core/backend-result.js';

type Around = (next: BackendHandler) => BackendHandler;

function canceledCall(input: CallInput): boolean {
  return input.signal.aborted && !(input.signal.reason instanceof GatewayError);
}

/** Outcome attributes on a span, set one by one (no object per call). */
function setOutcome(span: Span, error: boolean, canceled: boolean, complete: boolean): void {
  span.setAttribute('error', error);
  span.setAttribute('canceled', canceled);
  span.setAttribute('complete', complete);
}

export function otelProxyLayer(t: Telemetry, ep: EndpointConfig, flags: LayerFlags): Around | undefined {
  const tracer = flags.traces ? t.tracer : undefined;
  const duration = flags.metrics ? t.proxyDuration : undefined;
  if (!tracer && !duration) return undefined;
  const base: Attributes = { 'krakend.endpoint.route': ep.path, 'krakend.endpoint.method': ep.method };
  const metricBase: Attributes = { ...base, ...flags.metricAttrs };
  const spanBase: Attributes = { ...base, ...flags.traceAttrs };
  const name = `${ep.method} ${ep.path} proxy`;
  const series = duration ? compileOutcomeSeries(duration, metricBase) : undefined;
  return (next) => async (input) => {
    const t0 = performance.now();
    const ctx = input.ctx;
    const parent = ctx.traceContext ?? ROOT_CONTEXT;
    const span = tracer?.startSpan(name, { kind: SpanKind.INTERNAL, attributes: spanBase }, parent);
    // Backend spans hang under the proxy span.
    if (span) ctx.traceContext = trace.setSpan(parent, span);
    const r = await next(input);
    const failure = failureOf(r);
    const error = failure !== undefined;
    const complete = completeOf(r);
    const canceled = canceledCall(input);
    series?.[outcomeIndex(error, canceled, complete)].record((performance.now() - t0) / 1000);
    if (span) {
      setOutcome(span, error, canceled, complete);
      if (failure) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    return r;
  };
}

export function otelBackendLayer(t: Telemetry, ep: EndpointConfig, b: BackendConfig, flags: BackendFlags): Around | undefined {
  const tracer = flags.traces ? t.tracer : undefined;
  const duration = flags.metrics ? t.backendDuration : undefined;
  if (!tracer && !duration) return undefined;
  const base: Attributes = { 'krakend.endpoint.route': ep.path, 'krakend.endpoint.method': ep.method, 'url.template': b.urlPattern };
  const metricBase: Attributes = { ...base, ...flags.metricAttrs };
  const spanBase: Attributes = { ...base, 'http.request.method': b.method, 'server.address': b.hosts[0] ?? b.srv?.name ?? '', ...flags.traceAttrs };
  const name = `${b.method} ${b.urlPattern}`;
  const series = duration ? compileOutcomeSeries(duration, metricBase) : undefined;
  return (next) => async (input) => {
    const t0 = performance.now();
    const span = tracer?.startSpan(name, { kind: SpanKind.CLIENT, attributes: spanBase }, input.ctx.traceContext ?? ROOT_CONTEXT);
    if (span && flags.reportHeaders && span.isRecording()) span.setAttributes(headerAttributes('http.request.header', input.headers, flags.skipHeaders));
    const r = await next(span ? { ...input, traceHeaders: traceHeadersOf(span) } : input);
    const failure = failureOf(r);
    const error = failure !== undefined;
    const complete = completeOf(r);
    const canceled = canceledCall(input);
    series?.[outcomeIndex(error, canceled, complete)].record((performance.now() - t0) / 1000);
    if (span) {
      setOutcome(span, error, canceled, complete);
      const status = r.kind === 'raw' ? r.raw.status : failure?.status;
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      if (failure) span.setStatus({ code: SpanStatusCode.ERROR, message: failure.status >= 500 ? 'backend failed' : 'refused' });
      span.end();
    }
    return r;
  };
}
