// TLS options for connections to HTTPS backends (service `client_tls`): the system pool plus the
// declared CAs (or only the declared CAs), client certificates for mutual TLS to backends, and
// the same AEAD/forward-secret suite policy as the listener. Built once at startup.
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import { TlsFileError, readCaBundle, readPair } from './pem-files.js';
import type { UpstreamTlsOptions } from './types.js';

/** Throws TlsFileError (with pointer) when a file is missing or invalid. */
export function upstreamConnectOptions(o: UpstreamTlsOptions, allowInsecure: boolean): ConnectionOptions {
  const opts: ConnectionOptions = {
    rejectUnauthorized: !allowInsecure,
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    ciphers: o.ciphers,
  };
  if (o.ecdhCurve) opts.ecdhCurve = o.ecdhCurve;
  if (o.caCerts.length > 0 || !o.useSystemCaPool) {
    // Node's `ca` replaces the default roots, so the system pool is added back explicitly.
    const ca: string[] = o.useSystemCaPool ? [...rootCertificates] : [];
    o.caCerts.forEach((f, i) => ca.push(...readCaBundle(f, `/client_tls/ca_certs/${i}`)));
    opts.ca = ca;
  }
  if (o.clientCerts.length > 0) {
    const certs: string[] = [];
    const keys: string[] = [];
    const types = new Map<string, string>();
    for (const c of o.clientCerts) {
      const p = readPair(c.certFile, c.keyFile, c.pointer);
      // OpenSSL keeps one certificate per key type; a second one of the same type would silently
      // replace the first, so it is refused instead.
      const dup = types.get(p.keyType);
      if (dup) throw new TlsFileError(c.pointer, `a second ${p.keyType} client certificate (the first is at ${dup}); one per key type is supported`);
      types.set(p.keyType, c.pointer);
      certs.push(p.cert);
      keys.push(p.key);
    }
    opts.cert = certs;
    opts.key = keys;
  }
  return opts;
}
