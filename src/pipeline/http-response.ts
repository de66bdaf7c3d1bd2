// The gateway's response classes carry per-request bookkeeping, so that the gateway's 'finish'
// and 'close' listeners can be shared functions (no closure per request) reading it from `this`.
// They override nothing: headers are written once, by pipeline/respond.ts.
import type { EndpointMeter } from './metrics-meters.js';
import { ServerResponse, type IncomingMessage } from 'node:http';

export interface ResponseBookkeeping {
  /** performance.now() when the request arrived; path for the access line. */
  accessStart: number;
  accessPath: string;
  /** The client address as resolved (trusted proxies applied), for configured access formats. */
  accessIp: string;
  /** telemetry/metrics: the matched route's meter, start time and the socket's bytes so far. */
  statsMeter: EndpointMeter | undefined;
  statsStart: number;
  statsBytes: number;
  /** Aborts the request's backend calls when the client goes away first. */
  callSignal: { abort(): void } | null;
  /** telemetry/opentelemetry's global layer (server/otel-global.ts): its state of this request. */
  otel: unknown;
}

export class GatewayResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> implements ResponseBookkeeping {
  accessStart = 0;
  accessPath = '';
  accessIp = '';
  statsMeter: EndpointMeter | undefined = undefined;
  statsStart = 0;
  statsBytes = 0;
  callSignal: { abort(): void } | null = null;
  // Declared here, not added per request: a property added after construction gives every
  // response a second hidden class, and the http internals that see both turn polymorphic.
  otel: unknown = undefined;
}
