// What one backend (or the merged endpoint) produced, as a tagged union built only by the
// constructors below, and the one handler shape endpoint and backend share (lura's proxy.Proxy):
// the same wrapper (rate limit, breaker, timeout, telemetry) works at both levels.
import type { Readable } from 'node:stream';
import type { CancelSignal } from './call-signal.js';
import type { ConnTiming } from './conn-timing.js';
import type { GatewayError } from './gateway-error.js';
import type { RequestContext } from './request.js';

export type Data = Record<string, unknown>;

/** The HTTP request to a backend, as built from the backend config and the client request. */
export interface UpstreamRequest {
  method: string;
  origin: string;
  path: string;
  headers: string[];
  /** Buffered request body, or null. */
  body: Buffer | null;
  /** Send the body chunked (KrakenD streams bodies) instead of with Content-Length. */
  chunked: boolean;
  signal: CancelSignal;
  /** Largest body read whole; larger ones fail with BodyTooLargeError unless `streamLarge`. */
  limit: number;
  /** no-op forwarding: bodies above `limit` or of unknown length come back as a stream. */
  streamLarge: boolean;
  /** Set only when telemetry asks for connection detail (proxy/connection-timing.ts). */
  timing?: ConnTiming;
}

/** A backend's HTTP answer as received (no-op: streamed to the client untouched). */
export interface UpstreamResponse {
  status: number;
  /** Flat [lower-case name, value, ...]. */
  headers: string[];
  /** The whole body, or a stream (only with `streamLarge`). */
  body: Buffer | Readable;
  url: string;
}

/** Decoded data; `complete` false for a partial answer (a backend failed, or was cut short),
 * `error` the first failure when some backends failed. */
export interface DataResult {
  readonly kind: 'data';
  data: Data;
  complete: boolean;
  error: GatewayError | undefined;
}

/** No data at all: the error says why (status, body for return_error_msg). */
export interface ErrorResult {
  readonly kind: 'error';
  error: GatewayError;
}

/** A no-op answer, passed through as the backend sent it. */
export interface RawResult {
  readonly kind: 'raw';
  raw: UpstreamResponse;
}

export type BackendResult = DataResult | ErrorResult | RawResult;

export function dataResult(data: Data, complete: boolean, error?: GatewayError): DataResult {
  return { kind: 'data', data, complete, error };
}

export function errorResult(error: GatewayError): ErrorResult {
  return { kind: 'error', error };
}

export function rawResult(raw: UpstreamResponse): RawResult {
  return { kind: 'raw', raw };
}

/** Whether the result is complete data with no failure. */
export function isComplete(r: BackendResult): boolean {
  return r.kind === 'data' && r.complete && r.error === undefined;
}

/** Per-request values every backend call needs, built once per request by the endpoint. */
export interface CallInput {
  /** The request being served (claims, client IP). */
  ctx: RequestContext;
  params: Record<string, string>;
  /** Filtered client query string (already encoded), '' when none. */
  query: string;
  /** Filtered headers, flat [name, value, ...]. */
  headers: string[];
  body: Buffer | null;
  signal: CancelSignal;
  /** Earlier backends' data (sequential proxy). */
  responses?: (Data | undefined)[];
  /** Earlier no-op backends' bodies, when a sequential endpoint propagates `respN` whole. */
  rawResponses?: (string | undefined)[];
  /** traceparent/tracestate of this call's span (telemetry/opentelemetry), added after every
   * header filter: the trace context is the gateway's, never a client's. */
  traceHeaders?: string[];
  /** Set by the OpenTelemetry backend layer with detailed_connection: this call's connection times. */
  connTiming?: ConnTiming;
}

export type BackendHandler = (input: CallInput) => Promise<BackendResult>;

/** Backend scope: rewrites the HTTP request about to be sent (martian, Lua backend `pre`), or
 * answers instead of the backend: an UpstreamResponse (martian skip.RoundTrip: nothing is sent,
 * the response hooks and the decoding still run) or a BackendResult (a script's custom_error,
 * a failure: the exchange ends there). */
export type UpstreamRequestHook = (
  req: UpstreamRequest,
  input: CallInput,
) => UpstreamRequest | UpstreamResponse | BackendResult | Promise<UpstreamRequest | UpstreamResponse | BackendResult>;

/** Backend scope: rewrites the backend's HTTP answer before it is decoded (martian response
 * modifiers), or replaces it by a result (an error). */
export type UpstreamResponseHook = (
  res: UpstreamResponse,
  req: UpstreamRequest,
  input: CallInput,
) => UpstreamResponse | BackendResult | Promise<UpstreamResponse | BackendResult>;

/** The failure a result carries (an error result's, or the first of a partial answer's). */
export function failureOf(r: BackendResult): GatewayError | undefined {
  return r.kind === 'raw' ? undefined : r.error;
}

/** KrakenD's "complete" flag: data, every backend answered. */
export function completeOf(r: BackendResult): boolean {
  // A no-op answer is complete whatever its status (lura's NoOpHTTPResponseParser: IsComplete true).
  return r.kind === 'raw' || (r.kind === 'data' && r.complete);
}
