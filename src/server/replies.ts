// Small, fixed answers written by the gateway itself (errors, 404/405, health).
import type { ServerResponse } from 'node:http';

export function sendPlain(res: ServerResponse, status: number, body: string | Buffer, headers: string[], contentType: string | undefined): void {
  if (res.headersSent) return void res.destroy();
  const h = headers.slice();
  if (contentType) h.push('content-type', contentType);
  h.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length));
  res.writeHead(status, h);
  res.end(body);
}
