// The TLS listener: node:http2 secure server with HTTP/1.1 fallback (ALPN "h2", "http/1.1"), so
// one port serves both with the same handler and the same zero-trust rules. The port speaks only
// TLS: a plain-HTTP request fails the handshake and is never handled (docs/reference/auth-and-tls.md §7.1).
// Certificates are re-read by reload() (SIGHUP) and swapped without dropping connections.
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceConfig } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import { GatewayResponse } from '../pipeline/http-response.js';
import { http1Hardening } from './http1-options.js';
import { GatewayHttp2Request, GatewayHttp2Response } from './http2-compat.js';
import { loadServerTls } from '../tls/server-context.js';
import type { ServerTlsOptions } from '../tls/types.js';

export interface SecureListener {
  server: Http2SecureServer;
  /** Re-reads certificate, key and CA files; keeps the old ones if anything fails. */
  reload(): void;
  /** Open HTTP/2 sessions (for a graceful GOAWAY on shutdown). */
  sessions: Set<Http2Session>;
}

/** Streams per HTTP/2 connection (Node's default is 2^32-1; Go's is 250). */
const MAX_CONCURRENT_STREAMS = 128;

export function createSecureListener(
  cfg: ServiceConfig & { tls: ServerTlsOptions },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  log: Logger,
): SecureListener {
  let material = loadServerTls(cfg.tls);
  const server = createSecureServer(
    {
      ...material.base,
      allowHTTP1: true,
      requestCert: cfg.tls.enableMtls,
      rejectUnauthorized: cfg.tls.enableMtls,
      SNICallback: (name, cb) => cb(null, material.select ? material.select(name) : undefined),
      Http2ServerRequest: GatewayHttp2Request,
      Http2ServerResponse: GatewayHttp2Response,
      Http1ServerResponse: GatewayResponse,
      maxSessionMemory: 10,
      settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, maxHeaderListSize: cfg.maxHeaderBytes },
    } as Parameters<typeof createSecureServer>[0],
    handler as unknown as Parameters<typeof createSecureServer>[1],
  );
  // The HTTP/1.1 fallback reads these from the server object, as node:http does from its
  // options (storeHTTPOptions); set them the same way as the plain listener.
  Object.assign(server, { ...http1Hardening(cfg), rejectNonStandardBodyWrites: false });
  // An idle HTTP/2 connection is closed like an idle keep-alive one.
  server.setTimeout(cfg.idleTimeoutMs);
  const sessions = new Set<Http2Session>();
  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  server.on('tlsClientError', (err: NodeJS.ErrnoException) => {
    // Refused handshakes (old protocol, no/untrusted client certificate, plain HTTP) are the
    // expected outcome of the policy; logged at debug, without any peer data.
    log.debug({ code: err.code ?? 'tls' }, 'tls handshake refused');
  });
  if (cfg.tls.enableMtls) log.info({ ca_files: cfg.tls.caCerts.length, system_pool: cfg.tls.useSystemCaPool }, 'mutual TLS: client certificates required');

  const reload = () => {
    try {
      const next = loadServerTls(cfg.tls);
      server.setSecureContext(next.base);
      material = next;
      for (const c of next.outOfDate) log.warn({ certificate: c }, 'certificate is not valid now');
      log.info({ pairs: cfg.tls.keys.length }, 'tls certificates reloaded');
    } catch (err) {
      log.error({ err: { message: (err as Error).message } }, 'tls reload failed; keeping the current certificates');
    }
  };
  return { server, reload, sessions };
}
