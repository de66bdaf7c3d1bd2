// The HTTP/1.1 listener: server timeouts (slowloris), header size, strict parsing, and a
// graceful drain on shutdown.
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServiceConfig } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { Gateway } from './gateway.js';

export interface RunningServer {
  server: Server;
  port: number;
  /** Stop accepting, let in-flight requests finish (bounded by max_shutdown_wait_time). */
  shutdown(): Promise<void>;
}

export async function listen(cfg: ServiceConfig, gateway: Gateway, log: Logger, portOverride?: number): Promise<RunningServer> {
  const server = createServer(
    {
      maxHeaderSize: cfg.maxHeaderBytes,
      // Never accept ambiguous framing (CL+TE smuggling, bare LF, ...).
      insecureHTTPParser: false,
      requireHostHeader: true,
      headersTimeout: cfg.readHeaderTimeoutMs || 0,
      requestTimeout: cfg.readTimeoutMs || 0,
      keepAliveTimeout: cfg.idleTimeoutMs,
      // How often Node checks headersTimeout/requestTimeout: the default (30 s) would let a
      // slowloris client hold a socket far longer than read_header_timeout.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor((cfg.readHeaderTimeoutMs || 1000) / 2))),
    },
    gateway.handle,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  if (cfg.writeTimeoutMs > 0) {
    server.on('request', (_req, res) => {
      const t = setTimeout(() => res.destroy(), cfg.writeTimeoutMs);
      res.once('close', () => clearTimeout(t));
    });
  }
  const port = portOverride ?? cfg.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: cfg.listenIp || undefined }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      server.close(() => done());
      server.closeIdleConnections();
      const timer =
        cfg.maxShutdownWaitMs > 0
          ? setTimeout(() => {
              log.warn('shutdown wait exceeded; closing remaining connections');
              server.closeAllConnections();
            }, cfg.maxShutdownWaitMs)
          : undefined;
      // Keep-alive sockets that become idle after their last response must close too.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      server.once('close', () => clearInterval(sweep));
    }));
  return { server, port: actual, shutdown };
}
