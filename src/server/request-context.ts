// The RequestContext of one request, as a class: every request's context has the same shape
// (one hidden class for the hot path).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext, TraceParent } from '../core/request.js';

export class GatewayRequestContext implements RequestContext {
  params: Record<string, string> = EMPTY_PARAMS;
  upstreamHeaders: string[] | undefined = undefined;
  claims: Record<string, unknown> | undefined = undefined;
  body: Buffer | null = null;
  traceContext: TraceParent | undefined = undefined;
  serviceRefusedAt = Infinity;
  endpointRefusedAt = Infinity;
  dataFacts: object | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly method: string,
    readonly path: string,
    readonly rawQuery: string,
    public clientIp: string,
  ) {}
}

/** Parameters before routing: none (routing replaces the object, nobody writes into it). */
const EMPTY_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
