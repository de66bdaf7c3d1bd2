// Span parts encoded once (startup, or once per route and method): a name, a kind and static
// attributes as OTLP bytes, the three outcome flags in their eight combinations, the error
// statuses; plus the request-time helpers the layers share (a trusted parent, report_headers).
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { TraceParent } from '../../core/request.js';
import { extractContext, isSecretHeader } from './context.js';
import { PbWriter, TAG, field, kv, stringField } from './pb-writer.js';
import { wordsOf } from './id-words.js';

/** Name, kind and attributes: the fixed part of a span. */
export function fixedPart(name: string, kind: number, attrs: Readonly<Record<string, string | number | boolean>>): Buffer {
  const parts = [stringField(TAG.name, name), Buffer.from([TAG.kind, kind])];
  for (const k in attrs) parts.push(kv(k, attrs[k]));
  return Buffer.concat(parts);
}

/** error, canceled, complete as attributes; index with outcomeIndex() (series-cache.ts). */
export function outcomeParts(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < 8; i++) out.push(Buffer.concat([kv('error', (i & 4) !== 0), kv('canceled', (i & 2) !== 0), kv('complete', (i & 1) !== 0)]));
  return out;
}

/** Span.status with code ERROR and an optional message. */
export function errorStatus(message?: string): Buffer {
  const w = new PbWriter(64);
  if (message) w.string(TAG.statusMessage, message);
  w.byte(TAG.statusCode);
  w.byte(2);
  return field(TAG.status, w.take());
}

/** The parent named by a request's traceparent/tracestate (W3C rules, the API's propagator). */
export function remoteParent(headers: Record<string, string | string[] | undefined>): TraceParent | undefined {
  if (headers.traceparent === undefined) return undefined;
  const sc = trace.getSpanContext(extractContext(headers));
  if (!sc || !isSpanContextValid(sc)) return undefined;
  const [t0, t1, t2, t3] = wordsOf(sc.traceId);
  const [s0, s1] = wordsOf(sc.spanId);
  return { t0, t1, t2, t3, s0, s1, sampled: (sc.traceFlags & 1) === 1, state: sc.traceState?.serialize() || undefined };
}

/** report_headers: request headers as attributes, credentials and skip_headers left out. */
export function writeHeaders(w: PbWriter, raw: readonly string[], skip: readonly string[]): void {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (isSecretHeader(name) || skip.includes(name)) continue;
    w.dynamicStringAttr(`http.request.header.${name}`, raw[i + 1].slice(0, 256));
  }
}
