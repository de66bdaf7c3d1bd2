// The listener: plain HTTP/1.1, or TLS (HTTP/2 + HTTP/1.1, tls/secure-server.ts) when the service
// declares `tls`. Server timeouts (slowloris), header size, strict parsing, certificate reload on
// SIGHUP, and a graceful drain on shutdown.
import { Server, createServer } from 'node:http';
import type { Http2SecureServer, Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { ServiceConfig } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import { compileServerLimits } from '../components/qos/server-limits/apply.js';
import type { Gateway } from './gateway.js';
import { http1Hardening } from './http1-options.js';
import { GatewayResponse } from '../pipeline/http-response.js';

export interface RunningServer {
  server: Server | Http2SecureServer;
  port: number;
  /** Stop accepting, let in-flight requests finish (bounded by max_shutdown_wait_time). */
  shutdown(): Promise<void>;
}

export async function listen(cfg: ServiceConfig, gateway: Gateway, log: Logger, portOverride?: number): Promise<RunningServer> {
  let sessions: Set<Http2Session> | undefined;
  let reloadTls: (() => void) | undefined;
  let server: Server | Http2SecureServer;
  // qos/server-limits: connection cap and header-count limit (components/qos/server-limits).
  const limits = compileServerLimits(cfg);
  const handle = limits.wrap(gateway.handle);
  if (cfg.tls) {
    // Imported here: node:http2 and the HTTP/2 compatibility layer cost plain-HTTP starts ~10 ms.
    const { createSecureListener } = await import('./secure-server.js');
    const secure = createSecureListener({ ...cfg, tls: cfg.tls }, handle, log);
    ({ server, sessions } = secure);
    reloadTls = secure.reload;
    log.info({ min_version: cfg.tls.minVersion, max_version: cfg.tls.maxVersion, alpn: ['h2', 'http/1.1'] }, 'tls enabled');
  } else
    server = createServer(
      {
        ServerResponse: GatewayResponse,
        ...http1Hardening(cfg),
      },
      handle,
    );
  limits.install(server);
  // websocket endpoints: upgrades go through the gateway's guards (server/handle-upgrade.ts).
  // Without any, Node serves an Upgrade request as the plain request it also is.
  if (gateway.upgrade) server.on('upgrade', gateway.upgrade);
  if (gateway.stats && cfg.metrics?.router) {
    // Connections (telemetry/metrics): totals since start, and open now.
    const opened = gateway.stats.counter('krakend.router.connected-total');
    const closed = gateway.stats.counter('krakend.router.disconnected-total');
    const open = gateway.stats.counter('krakend.router.connected-gauge');
    // A shared close listener (no closure per socket: see server-limits/apply.ts).
    const onClose = (): void => {
      closed.n++;
      open.n--;
    };
    server.on('connection', (socket: Socket) => {
      opened.n++;
      open.n++;
      socket.on('close', onClose);
    });
  }
  if (cfg.client.allowInsecure) log.warn('allow_insecure_connections: upstream TLS certificates are NOT verified');
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
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
  // Certificate rotation: re-read the files, swap the context, keep every open connection.
  // Without TLS, SIGHUP is only logged (it must not kill a worker: the cluster primary forwards it).
  const onHup = reloadTls ?? (() => log.info('SIGHUP: no TLS certificates to reload'));
  process.on('SIGHUP', onHup);
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      process.off('SIGHUP', onHup);
      server.close(() => done());
      Server.prototype.closeIdleConnections.call(server);
      // HTTP/2: GOAWAY lets in-flight streams finish and refuses new ones.
      for (const s of sessions ?? []) s.close();
      const timer =
        cfg.maxShutdownWaitMs > 0
          ? setTimeout(() => {
              log.warn('shutdown wait exceeded; closing remaining connections');
              // Node's HTTP/1.1 connection tracking also runs under the TLS listener (allowHTTP1).
              Server.prototype.closeAllConnections.call(server);
              for (const s of sessions ?? []) s.destroy();
            }, cfg.maxShutdownWaitMs)
          : undefined;
      // Keep-alive sockets that become idle after their last response must close too.
      const sweep = setInterval(() => Server.prototype.closeIdleConnections.call(server), 100);
      server.once('close', () => clearInterval(sweep));
    }));
  return { server, port: actual, shutdown };
}
