// telemetry/opentelemetry's proxy and backend layers as call taps (call-tap.ts; the global layer
// is in server/otel-global.ts). Built once per endpoint and backend with that route's settings
// (an endpoint or backend override replaces the service's layer, as KrakenD); per request they
// start a span under the request's parent, record one duration, and hand the backend the
// gateway's own traceparent. Taps, not wrappers, so the direct path stays on with OTel.
//   proxy    span "<METHOD> <route> proxy" (internal); krakend.proxy.duration
//   backend  span "<METHOD> <url_pattern>" (client); krakend.backend.duration
// Attributes: krakend.endpoint.route, krakend.endpoint.method, error, canceled, complete (and for
// backends url.template, server.address, http.response.status_code when known), plus the
// layer's static attributes; with report_headers, the headers sent upstream minus credentials;
// with detailed_connection, krakend-otel's connection wait, DNS and TLS times (metrics:
// http.client.request.{get-conn,dns,tls}.duration; span: get-conn-/dns-/tls-duration and a
// first-byte-time event), from proxy/connection-timing.ts.
// Names, kinds and static attributes are encoded once here (span-parts.ts).
import type { EndpointConfig, BackendConfig } from '../config/types.js';
import type { BackendFlags, LayerFlags } from '../config/normalize-otel.js';
import { GatewayError } from '../core/gateway-error.js';
import { compileOutcomeSeries, outcomeIndex } from '../observability/otel/series-cache.js';
import type { Telemetry } from '../observability/otel/telemetry.js';
import { nowMs, SPAN_KIND, type LeanSpan } from '../observability/otel/lean-tracer.js';
import { errorStatus, fixedPart, outcomeParts, writeHeaders } from '../observability/otel/span-parts.js';
import { keyBytes, stringField, TAG, type PbWriter } from '../observability/otel/pb-writer.js';
import type { HistogramSeries } from '../observability/otel/lean-histogram.js';
import { ConnTiming } from '../core/conn-timing.js';
import { completeOf, failureOf, type BackendResult, type CallInput } from '../core/backend-result.js';
import type { CallTap } from './call-tap.js';

function canceledCall(input: CallInput): boolean {
  return input.signal.aborted && !(input.signal.reason instanceof GatewayError);
}

const OUTCOMES = outcomeParts();
const ERROR = errorStatus();
const BACKEND_FAILED = errorStatus('backend failed');
const REFUSED = errorStatus('refused');
const K_STATUS = keyBytes('http.response.status_code');

/** A span's fixed part followed by each of the eight outcome flag sets, by outcomeIndex(): one
 * copy per span instead of two. */
function withOutcomes(fixed: Buffer): Buffer[] {
  return OUTCOMES.map((o) => Buffer.concat([fixed, o]));
}

/** What a tap measures of one call: the outcome index and the failure, if any. */
function outcome(input: CallInput, r: BackendResult): number {
  return outcomeIndex(failureOf(r) !== undefined, canceledCall(input), completeOf(r));
}

export function otelProxyLayer(t: Telemetry, ep: EndpointConfig, flags: LayerFlags): CallTap | undefined {
  const tracer = flags.traces ? t.tracer : undefined;
  const duration = flags.metrics ? t.proxyDuration : undefined;
  if (!tracer && !duration) return undefined;
  const base = { 'krakend.endpoint.route': ep.path, 'krakend.endpoint.method': ep.method };
  const series = duration ? compileOutcomeSeries(duration, { ...base, ...flags.metricAttrs }) : undefined;
  if (!tracer) {
    return {
      start: () => performance.now(),
      end: (t0: number, input, r) => series?.[outcome(input, r)].record((performance.now() - t0) / 1000),
    } satisfies CallTap<number>;
  }
  const fixed = withOutcomes(fixedPart(`${ep.method} ${ep.path} proxy`, SPAN_KIND.INTERNAL, { ...base, ...flags.traceAttrs }));
  return {
    start(input) {
      const span = tracer.start(input.ctx.traceContext);
      // Backend spans hang under the proxy span.
      input.ctx.traceContext = span;
      return span;
    },
    end(span, input, r) {
      const o = outcome(input, r);
      const t1 = nowMs();
      series?.[o].record((t1 - span.startMs) / 1000);
      if (!span.sampled) return;
      const w = tracer.open(span, t1);
      w.raw(fixed[o]);
      if (failureOf(r) !== undefined) w.raw(ERROR);
      tracer.commit();
    },
  } satisfies CallTap<LeanSpan>;
}

/** The three detailed_connection series of one backend (resolved once). */
interface ConnectionSeries {
  getConn: HistogramSeries;
  dns: HistogramSeries;
  tls: HistogramSeries;
}

function connectionSeries(t: Telemetry, attrs: Readonly<Record<string, string>>): ConnectionSeries | undefined {
  const h = t.connection;
  return h ? { getConn: h.getConn.series(attrs), dns: h.dns.series(attrs), tls: h.tls.series(attrs) } : undefined;
}

function recordConnection(s: ConnectionSeries, c: ConnTiming): void {
  s.getConn.record(c.getConnS());
  s.dns.record(c.dnsS());
  s.tls.record(c.tlsS());
}

const K_GET_CONN = keyBytes('get-conn-duration');
const K_DNS = keyBytes('dns-duration');
const K_TLS = keyBytes('tls-duration');
const FIRST_BYTE = stringField(TAG.eventName, 'first-byte-time');
const ORIGIN = performance.timeOrigin;

/** krakend-otel's detailed_connection span detail: three durations (s) and the first byte's time. */
function writeConnection(w: PbWriter, c: ConnTiming): void {
  w.doubleAttr(K_GET_CONN, c.getConnS());
  w.doubleAttr(K_DNS, c.dnsS());
  w.doubleAttr(K_TLS, c.tlsS());
  if (c.firstByteMs >= 0) w.event(FIRST_BYTE, (ORIGIN + c.firstByteMs) * 1e6);
}

export function otelBackendLayer(t: Telemetry, ep: EndpointConfig, b: BackendConfig, flags: BackendFlags): CallTap | undefined {
  const tracer = flags.traces ? t.tracer : undefined;
  const duration = flags.metrics ? t.backendDuration : undefined;
  const base = { 'krakend.endpoint.route': ep.path, 'krakend.endpoint.method': ep.method, 'url.template': b.urlPattern };
  const server = b.hosts[0] ?? b.srv?.name ?? '';
  const conn = flags.connectionMetrics
    ? connectionSeries(t, { ...base, 'http.request.method': b.method, 'server.address': server, ...flags.metricAttrs })
    : undefined;
  const connSpans = tracer !== undefined && flags.connectionTraces;
  if (!tracer && !duration && !conn) return undefined;
  const series = duration ? compileOutcomeSeries(duration, { ...base, ...flags.metricAttrs }) : undefined;
  if (!tracer) {
    if (!conn)
      return {
        start: () => performance.now(),
        end: (t0: number, input, r) => series?.[outcome(input, r)].record((performance.now() - t0) / 1000),
      } satisfies CallTap<number>;
    return {
      // The call's connection times travel on its input (a copy on the general path).
      writesInput: true,
      start(input) {
        const c = new ConnTiming(performance.now());
        input.connTiming = c;
        return c;
      },
      end(c, input, r) {
        series?.[outcome(input, r)].record((performance.now() - c.startMs) / 1000);
        recordConnection(conn, c);
      },
    } satisfies CallTap<ConnTiming>;
  }
  const fixed = withOutcomes(
    fixedPart(`${b.method} ${b.urlPattern}`, SPAN_KIND.CLIENT, {
      ...base,
      'http.request.method': b.method,
      'server.address': server,
      ...flags.traceAttrs,
    }),
  );
  const { reportHeaders, skipHeaders } = flags;
  const timed = conn !== undefined || connSpans;
  return {
    // The span's traceparent goes on this call's input (a copy on the general path).
    writesInput: true,
    start(input) {
      const span = tracer.start(input.ctx.traceContext);
      input.traceHeaders = span.state ? ['traceparent', span.traceparent(), 'tracestate', span.state] : ['traceparent', span.traceparent()];
      if (timed) input.connTiming = new ConnTiming(performance.now());
      return span;
    },
    end(span, input, r) {
      const o = outcome(input, r);
      const t1 = nowMs();
      series?.[o].record((t1 - span.startMs) / 1000);
      const c = input.connTiming;
      if (conn !== undefined && c !== undefined) recordConnection(conn, c);
      if (!span.sampled) return;
      const failure = failureOf(r);
      const w = tracer.open(span, t1);
      w.raw(fixed[o]);
      const status = r.kind === 'raw' ? r.raw.status : failure?.status;
      if (status !== undefined) w.intAttr(K_STATUS, status);
      if (reportHeaders) writeHeaders(w, input.headers, skipHeaders);
      if (connSpans && c !== undefined) writeConnection(w, c);
      if (failure) w.raw(failure.status >= 500 ? BACKEND_FAILED : REFUSED);
      tracer.commit();
    },
  } satisfies CallTap<LeanSpan>;
}
