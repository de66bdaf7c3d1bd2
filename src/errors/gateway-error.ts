// Errors raised while serving a request. They are expected, so they carry no stack trace
// (cheap to build), and their text reaches a client only under router.return_error_msg.

export class GatewayError extends Error {
  /** HTTP status to answer with when no data was gathered (default 500). */
  readonly status: number;
  /** Upstream body and content type, kept for return_error_code + return_error_msg. */
  readonly body?: Buffer;
  readonly contentType?: string;
  constructor(message: string, status = 500, body?: Buffer, contentType?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.status = status;
    this.body = body;
    this.contentType = contentType;
  }
}

export const DEADLINE = 'context deadline exceeded';

export function toGatewayError(err: unknown, signal: { readonly aborted: boolean }): GatewayError {
  if (err instanceof GatewayError) return err;
  if (signal.aborted) return new GatewayError(DEADLINE);
  const e = err as NodeJS.ErrnoException;
  // A backend answer that breaks HTTP framing (undici's parser refused it): 502 Bad Gateway.
  if (e?.name === 'HTTPParserError') return new GatewayError(`invalid response from backend: ${e.code ?? ''}`, 502);
  return new GatewayError(e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? err));
}
