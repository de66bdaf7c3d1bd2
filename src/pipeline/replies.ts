// Answers the gateway builds itself (errors, rejections, 404/405, built-in routes), as Answer
// values for the response phase (respond.ts). Nothing here writes to the wire.
import type { Answer } from '../core/answer.js';
import type { Rejection } from '../core/request.js';

/** A fixed answer: status, extra headers (flat, lower-case), body and its type. */
export function plainAnswer(status: number, body: string | Buffer, headers: string[], contentType: string | undefined): Answer {
  const h = headers.slice();
  if (contentType) h.push('content-type', contentType);
  return { status, headers: h, data: undefined, body, origin: 'gateway', failure: undefined, close: false };
}

/** A guard's rejection. */
export function rejectionAnswer(r: Rejection): Answer {
  const headers: string[] = [];
  let contentType: string | undefined;
  if (r.headers) {
    for (let i = 0; i < r.headers.length; i += 2) {
      const name = r.headers[i].toLowerCase();
      if (name === 'content-type' && contentType === undefined) contentType = r.headers[i + 1];
      else headers.push(name, r.headers[i + 1]);
    }
  }
  const body = r.body ?? '';
  contentType ??= body ? 'text/plain; charset=utf-8' : undefined;
  if (contentType) headers.push('content-type', contentType);
  return { status: r.status, headers, data: undefined, body, origin: 'rejection', failure: undefined, close: r.close === true };
}
