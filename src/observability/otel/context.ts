// The light part of telemetry/opentelemetry that the request path imports statically (the API
// and W3C trace-context propagation, no SDK): reading a trusted traceparent, and the attribute
// rules (bounded methods, no credential headers). The gateway's own traceparent is written by
// lean-tracer.ts.
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
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

/** KrakenD bounds the method attribute to the nine verbs plus _OTHER (a client chooses it). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);
export function boundedMethod(m: string): string {
  return METHODS.has(m) ? m : '_OTHER';
}

/** Headers never recorded, whatever report_headers and skip_headers say: credentials. */
const SECRET_HEADER = /authorization|cookie|token|secret|password|passwd|api[-_]?key|session|signature|credential/i;

/** Whether report_headers must leave this (lower-case) header out. */
export function isSecretHeader(lowerName: string): boolean {
  return SECRET_HEADER.test(lowerName);
}
