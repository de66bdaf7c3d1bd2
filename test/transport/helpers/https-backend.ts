// An HTTPS backend for tests: a chosen certificate, optionally requiring a client certificate
// (mutual TLS to upstreams); records the requests that got past the handshake.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Leaf } from './pki.js';

export interface HttpsBackend {
  port: number;
  origin: string;
  seen: { url: string; clientCn?: string }[];
  handshakeErrors: number;
  close(): Promise<void>;
}

export async function startHttpsBackend(
  leaf: Leaf,
  opts: { clientCa?: string; handler?: (req: IncomingMessage, res: ServerResponse) => void } = {},
): Promise<HttpsBackend> {
  const seen: HttpsBackend['seen'] = [];
  const server: Server = createServer(
    { cert: leaf.cert, key: leaf.key, requestCert: !!opts.clientCa, rejectUnauthorized: !!opts.clientCa, ca: opts.clientCa },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerX509Certificate?.();
      seen.push({ url: req.url!, clientCn: peer ? /CN=([^\n]+)/.exec(peer.subject)?.[1] : undefined });
      if (opts.handler) return opts.handler(req, res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ tls: true, path: req.url }));
    },
  );
  const b: HttpsBackend = {
    port: 0,
    origin: '',
    seen,
    handshakeErrors: 0,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  server.on('tlsClientError', () => b.handshakeErrors++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  b.port = (server.address() as { port: number }).port;
  b.origin = `https://127.0.0.1:${b.port}`;
  return b;
}
