// HTTP/1.1 hardening shared by the plain listener and the TLS listener's HTTP/1.1 fallback, so
// the two can never drift apart: strict parsing, header size, and the slowloris timeouts.
import type { ServiceConfig } from '../config/types.js';

export function http1Hardening(cfg: ServiceConfig) {
  return {
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
  };
}
