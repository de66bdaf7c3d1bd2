// Plain HTTP/1.1 requests from a chosen loopback address (127.0.0.2, 127.0.0.3, ::1...), to play
// a trusted proxy or an untrusted client against a gateway listening on all interfaces.
import { request } from 'node:http';
import type { Reply } from '../../helpers/http.js';

export function httpFrom(
  localAddress: string,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply & { rawHeaders: string[] }> {
  const host = localAddress.includes(':') ? '::1' : '127.0.0.1';
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method, path, headers, localAddress, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}
