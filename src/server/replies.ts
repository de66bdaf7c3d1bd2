// Small, fixed answers written by the gateway itself (errors, 404/405, health).
import type { ServerResponse } from 'node:http';
import type { Rejection } from '../components/types.js';

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
