// Normalized TLS settings (config/normalize.ts fills them; listen.ts and proxy/upstream-pools.ts
// build Node TLS options from them). Paths stay paths: files are re-read on SIGHUP.
import type { NodeTlsVersion } from './suites.js';

export interface CertKeyFiles {
  certFile: string;
  keyFile: string;
  /** JSON pointer of the pair, for error messages. */
  pointer: string;
}

/** Service `tls`: the listener speaks only TLS (HTTP/2 via ALPN, HTTP/1.1 fallback). */
export interface ServerTlsOptions {
  keys: CertKeyFiles[];
  minVersion: NodeTlsVersion;
  maxVersion: NodeTlsVersion;
  /** OpenSSL cipher string (TLS 1.3 and TLS 1.2 names). */
  ciphers: string;
  ecdhCurve: string;
  enableMtls: boolean;
  /** PEM files trusted for client certificates (mTLS). */
  caCerts: string[];
  /** Also trust Node's bundled (Mozilla) roots for client certificates. */
  useSystemCaPool: boolean;
}

/** Service `client_tls` (+ root `allow_insecure_connections`): every HTTPS backend. */
export interface UpstreamTlsOptions {
  caCerts: string[];
  useSystemCaPool: boolean;
  minVersion: NodeTlsVersion;
  maxVersion: NodeTlsVersion;
  ciphers: string;
  ecdhCurve: string | undefined;
  clientCerts: CertKeyFiles[];
}
