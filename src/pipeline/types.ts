import type { UpstreamResponse } from '../proxy/call-upstream.js';
import type { CancelSignal } from '../proxy/call-signal.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { RequestContext } from '../components/types.js';

export type Data = Record<string, unknown>;

/** What one backend (or the merged endpoint) produced. */
export interface ProxyResult {
  data: Data | undefined;
  complete: boolean;
  error: GatewayError | undefined;
  /** no-op: the upstream response, streamed to the client untouched. */
  raw: UpstreamResponse | undefined;
}

/** Per-request values every backend call needs, built once per request by the endpoint. */
export interface CallInput {
  /** The request being served (claims, locals, client IP). */
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
  /** traceparent/tracestate of this call's span (telemetry/opentelemetry), added after every
   * header filter: the trace context is the gateway's, never a client's. */
  traceHeaders?: string[];
}

export type BackendHandler = (input: CallInput) => Promise<ProxyResult>;
