// The answer a response check or the masker puts in place of a proxied one: the configured or
// default status, the body only when the config lets it reach the client, never the data that
// failed (a streamed body is destroyed, not sent).
import type { Readable } from 'node:stream';
import type { Answer } from '../../core/answer.js';
import type { ErrorCode } from '../../core/error-codes.js';
import { GatewayError } from '../../core/gateway-error.js';
import { COMPLETED_HEADER } from '../../core/version.js';

export function replaceAnswer(a: Answer, code: ErrorCode, message: string, status: number, body: string, contentType: string): Answer {
  if (typeof a.body !== 'string' && !Buffer.isBuffer(a.body)) (a.body as Readable).destroy();
  const headers = [COMPLETED_HEADER, 'false'];
  if (body !== '') headers.push('content-type', contentType);
  return { status, headers, data: undefined, body, origin: 'error', failure: new GatewayError(code, message, status), close: false };
}

/** Backend level: an answer that fails that backend only (status >= 400, no data: see
 * pipeline/backend-hooks.ts), so a multi-backend endpoint answers partially. */
export function failBackend(a: Answer, code: ErrorCode, message: string, status: number, body: string, contentType: string): Answer {
  const r = replaceAnswer(a, code, message, status >= 400 ? status : 500, body, contentType);
  r.headers = body !== '' ? ['content-type', contentType] : [];
  return r;
}

/** Only answers the backends produced are checked or masked. */
export function fromBackends(a: Answer): boolean {
  return a.origin === 'proxy';
}
