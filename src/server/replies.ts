// Small, fixed answers written by the gateway itself (errors, 404/405, health).
import type { ServerResponse } from 'node:http';
import type { Rejection } from '../components/types.js';
import type { Logger } from '../observability/logger.js';
import { COMPLETED_HEADER } from '../version.js';

export function sendPlain(res: ServerResponse, status: number, body: string | Buffer, headers: string[], contentType: string | undefined): void {
  if (res.headersSent) return void res.destroy();
  const h = headers.slice();
  if (contentType) h.push('content-type', contentType);
  h.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length));
  res.writeHead(status, h);
  res.end(body);
}

/** Answers a guard's rejection. */
export function sendRejection(res: ServerResponse, r: Rejection): void {
  const headers = r.headers ? [...r.headers] : [];
  if (r.close) headers.push('connection', 'close');
  let contentType: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].toLowerCase() === 'content-type') {
      contentType = headers[i + 1];
      headers.splice(i, 2);
      break;
    }
  }
  sendPlain(res, r.status, r.body ?? '', headers, contentType ?? (r.body ? 'text/plain; charset=utf-8' : undefined));
}

/** A request whose handling threw: logged (message and path only, never headers or values), and
 * the client gets an empty 500, or a cut connection once its answer has started. */
export function replyCrashed(log: Logger, res: ServerResponse, err: unknown, path: string): void {
  log.error({ err: { message: (err as Error)?.message }, path }, 'request failed');
  if (!res.headersSent) sendPlain(res, 500, '', [COMPLETED_HEADER, 'false'], undefined);
  else res.destroy();
}
