// The RequestContext of one request, as a class: every request's context has the same shape
// (one hidden class for the hot path), and `locals`, which few requests use, is created on first
// use instead of a Map per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../components/types.js';
import type { Context as OtelContext } from '@opentelemetry/api';

export class GatewayRequestContext implements RequestContext {
  params: Record<string, string> = EMPTY_PARAMS;
  upstreamHeaders: string[] | undefined = undefined;
  claims: Record<string, unknown> | undefined = undefined;
  body: Buffer | null = null;
  traceContext: OtelContext | undefined = undefined;
  private localsMap: Map<string, unknown> | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly method: string,
    readonly path: string,
    readonly rawQuery: string,
    public clientIp: string,
  ) {}

  get locals(): Map<string, unknown> {
    return (this.localsMap ??= new Map());
  }
}

/** Parameters before routing: none (routing replaces the object, nobody writes into it). */
const EMPTY_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;
