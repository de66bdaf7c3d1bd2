// Errors raised while serving a request. They are expected, so they carry no stack trace
// (cheap to build), and their text reaches a client only under router.return_error_msg. Each
// carries a code of the closed list (error-codes.ts), its default status unless the backend's
// own status is passed on (return_error_code).
import { statusOf, type ErrorCode } from './error-codes.js';

export class GatewayError extends Error {
  readonly code: ErrorCode;
  /** HTTP status to answer with when no data was gathered (default 500). */
  readonly status: number;
  /** Upstream body and content type, kept for return_error_code + return_error_msg. */
  readonly body?: Buffer;
  readonly contentType?: string;
  /** The body is the config's own answer (a Lua custom_error): sent even without
   * return_error_msg, as KrakenD does. */
  readonly exposeBody: boolean;
  constructor(code: ErrorCode, message: string, status = statusOf(code), body?: Buffer, contentType?: string, exposeBody = false) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.status = status;
    this.body = body;
    this.contentType = contentType;
    this.exposeBody = exposeBody;
  }
}

export const DEADLINE = 'context deadline exceeded';

export function toGatewayError(err: unknown, signal: { readonly aborted: boolean }): GatewayError {
  if (err instanceof GatewayError) return err;
  if (signal.aborted) return new GatewayError('backend.deadline', DEADLINE);
  const e = err as NodeJS.ErrnoException;
  // A backend answer that breaks HTTP framing (undici's parser refused it): 502 Bad Gateway.
  if (e?.name === 'HTTPParserError') return new GatewayError('backend.bad_response', `invalid response from backend: ${e.code ?? ''}`);
  return new GatewayError('backend.failed', e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? err));
}
