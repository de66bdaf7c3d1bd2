// Server TLS contexts: one per certificate/key pair, chosen by SNI (exact name, then a one-label
// wildcard, then the first pair). Built at startup and again on SIGHUP (certificate rotation
// without dropping connections: listen.ts swaps them with server.setSecureContext).
import { createSecureContext, rootCertificates, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { readCaBundle, readPair } from './pem-files.js';
import type { ServerTlsOptions } from './types.js';

export interface ServerTlsMaterial {
  /** Options of the default context (first pair): for createSecureServer / setSecureContext. */
  base: SecureContextOptions;
  /** SNI lookup; undefined when there is a single pair. */
  select: ((servername: string) => SecureContext) | undefined;
  /** Certificates that are expired or not yet valid (warned about, not refused). */
  outOfDate: string[];
}

/** DNS names a certificate answers for: its SAN DNS entries, else its subject CN. */
function namesOf(leaf: X509Certificate): string[] {
  const san = leaf.subjectAltName;
  if (san) {
    const dns = san
      .split(', ')
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4).toLowerCase());
    if (dns.length > 0) return dns;
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject);
  return cn ? [cn[1].toLowerCase()] : [];
}

/** Reads every file and builds the contexts. Throws TlsFileError (with pointer) on any problem. */
export function loadServerTls(o: ServerTlsOptions): ServerTlsMaterial {
  const common: SecureContextOptions = {
    minVersion: o.minVersion,
    maxVersion: o.maxVersion,
    ciphers: o.ciphers,
    ecdhCurve: o.ecdhCurve,
    honorCipherOrder: true,
  };
  if (o.enableMtls) {
    // Trust for client certificates: the declared CAs only, unless the system pool was asked for
    // explicitly. The gateway's own certificates are NOT added (KrakenD adds them; see §8.1).
    const ca: string[] = o.useSystemCaPool ? [...rootCertificates] : [];
    o.caCerts.forEach((f, i) => ca.push(...readCaBundle(f, `/tls/ca_certs/${i}`)));
    common.ca = ca;
  }
  const now = Date.now();
  const outOfDate: string[] = [];
  const pairs = o.keys.map((k) => {
    const p = readPair(k.certFile, k.keyFile, k.pointer);
    if (Date.parse(p.leaf.validTo) < now || Date.parse(p.leaf.validFrom) > now)
      outOfDate.push(`${k.certFile} (valid ${p.leaf.validFrom} to ${p.leaf.validTo})`);
    return { opts: { ...common, cert: p.cert, key: p.key } as SecureContextOptions, names: namesOf(p.leaf) };
  });
  const base = pairs[0].opts;
  if (pairs.length === 1) return { base, select: undefined, outOfDate };

  const exact = new Map<string, SecureContext>();
  const wildcard = new Map<string, SecureContext>();
  const fallback = createSecureContext(base);
  for (const p of pairs) {
    const ctx = p === pairs[0] ? fallback : createSecureContext(p.opts);
    for (const n of p.names) {
      if (n.startsWith('*.')) {
        if (!wildcard.has(n.slice(2))) wildcard.set(n.slice(2), ctx);
      } else if (!exact.has(n)) exact.set(n, ctx);
    }
  }
  const select = (servername: string): SecureContext => {
    const name = servername.toLowerCase();
    const hit = exact.get(name);
    if (hit) return hit;
    const dot = name.indexOf('.');
    return (dot > 0 && wildcard.get(name.slice(dot + 1))) || fallback;
  };
  return { base, select, outOfDate };
}
