// Applies `qos/server-limits` to a listener (called from server/listen.ts): marks the connections
// over the cap (the listener's open connections, handshaking TLS ones included: open-connections.ts)
// when the HTTP layer sees them (after the TLS handshake for TLS servers), and answers their requests 503; refuses requests with too many header fields (431).
// One integer comparison per request when nothing is over a limit.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { ServiceConfig } from '../../../config/types.js';
import { openConnections } from './open-connections.js';

export const DEFAULT_MAX_CONNECTIONS = 10_000;
export const DEFAULT_MAX_HEADER_COUNT = 100;

const OVER = Symbol('rampart.overConnectionCap');

export interface ServerLimits {
  /** Wraps the request handler (pass the result to createServer). */
  wrap(handler: RequestListener): RequestListener;
  /** Starts counting connections on the server (call once, right after createServer). */
  install(server: NetServer & { maxHeadersCount?: number | null }): void;
}

export function compileServerLimits(cfg: ServiceConfig): ServerLimits {
  const raw = (cfg.extra['qos/server-limits'] ?? {}) as { max_connections?: number; max_header_count?: number };
  const maxConnections = raw.max_connections ?? DEFAULT_MAX_CONNECTIONS;
  const maxHeaderCount = raw.max_header_count ?? DEFAULT_MAX_HEADER_COUNT;
  const maxRawHeaders = maxHeaderCount * 2;
  let over = 0;

  function refuse(req: IncomingMessage, res: ServerResponse, status: number, extra: string[]): void {
    if (!req.complete) req.resume();
    res.writeHead(status, [...extra, 'connection', 'close', 'content-length', '0']);
    res.end();
  }

  return {
    wrap: (handler) => (req, res) => {
      if (over !== 0 && (req.socket as Socket & { [OVER]?: boolean })[OVER]) return refuse(req, res, 503, ['retry-after', '1']);
      // HTTP/2 requests also list their 4 pseudo-header fields (:method, :path, ...).
      if (req.rawHeaders.length > maxRawHeaders && (req.httpVersionMajor !== 2 || req.rawHeaders.length > maxRawHeaders + 8)) return refuse(req, res, 431, []);
      handler(req, res);
    },
    install(server) {
      // Node keeps at most maxHeadersCount fields (silently dropping the rest): keep one more
      // than the limit so an excess is visible and refused.
      server.maxHeadersCount = maxHeaderCount + 1;
      server.maxConnections = maxConnections + Math.max(16, Math.ceil(maxConnections / 10));
      const event = server instanceof TlsServer ? 'secureConnection' : 'connection';
      // The open count is the server's own (net.Server keeps it for maxConnections; open-connections.ts
      // says why not a 'close' listener per socket). Only a socket over the cap gets a listener.
      const open = openConnections(server);
      function onOverClose(): void {
        over--;
      }
      server.on(event, (socket: Socket & { [OVER]?: boolean }) => {
        if (open() > maxConnections) {
          socket[OVER] = true;
          over++;
          socket.once('close', onOverClose);
        }
      });
    },
  };
}
