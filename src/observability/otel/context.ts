// The light part of telemetry/opentelemetry that the request path imports statically (the API
// and W3C trace-context propagation, no SDK): reading a trusted traceparent, writing the gateway's
// own to backends, and the attribute rules (bounded methods, no credential headers).
import { context, trace, ROOT_CONTEXT, SpanKind, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

const propagator = new W3CTraceContextPropagator();
const getter = {
  keys: (c: Record<string, string | string[] | undefined>) => Object.keys(c),
  get: (c: Record<string, string | string[] | undefined>, k: string) => c[k],
};

/** The parent context from a request's traceparent/tracestate (when the peer may give one). */
export function extractContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, getter);
}

/** traceparent (and tracestate) of `span`, for the upstream request: flat [name, value, ...]. */
export function injectHeaders(span: Span): string[] {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(context.active(), span), carrier, { set: (c, k, v) => (c[k] = v) });
  const out: string[] = [];
  for (const k in carrier) out.push(k, carrier[k]);
  return out;
}

/** The same headers as injectHeaders, written directly: the propagator's path (a context, a
 * carrier object, a setter call per header, then copying into an array) cost ~3 µs a call. */
export function traceHeadersOf(span: Span): string[] {
  const sc = span.spanContext();
  const out = ['traceparent', `00-${sc.traceId}-${sc.spanId}-0${Number(sc.traceFlags || 0).toString(16)}`];
  const ts = sc.traceState?.serialize();
  if (ts) out.push('tracestate', ts);
  return out;
}

export { SpanKind };

/** KrakenD bounds the method attribute to the nine verbs plus _OTHER (a client chooses it). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
export function boundedMethod(m: string): string {
  return METHODS.has(m) ? m : '_OTHER';
}

/** Headers never recorded, whatever report_headers and skip_headers say: credentials. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|passwd|api[-_]?key|session|signature|credential/i;

export function isSecretHeader(lowerName: string): boolean {
  return SECRET_HEADER.test(lowerName);
}

/** Request headers as span attributes (report_headers), credentials and skip_headers left out. */
export function headerAttributes(prefix: string, raw: string[], skip: readonly string[]): Attributes {
  const out: Attributes = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (SECRET_HEADER.test(name) || skip.includes(name)) continue;
    out[`${prefix}.${name}`] = raw[i + 1].slice(0, 256);
  }
  return out;
}
