// An HTTP(S) server the test controls: serves a JWKS at /jwks (swappable) and counts downloads;
// any other path answers 404. Also usable as an "attacker" server: it records every request, so a
// test can assert the gateway never called it.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { TestCa } from './test-ca.js';

export interface JwksServer {
  url: string;
  jwksUrl: string;
  requests: string[];
  downloads(): number;
  setJwks(doc: object): void;
  close(): Promise<void>;
}

export async function startJwksServer(doc: object, ca?: TestCa): Promise<JwksServer> {
  let body = JSON.stringify(doc);
  const requests: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(body);
    }
    res.writeHead(404);
    res.end();
  };
  const server: Server = ca ? createHttps({ cert: ca.cert, key: ca.key }, handler) : createHttp(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const url = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url,
    jwksUrl: `${url}/jwks`,
    requests,
    downloads: () => requests.filter((r) => r === 'GET /jwks').length,
    setJwks(d) {
      body = JSON.stringify(d);
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
