// `security/client-cert`: forwards facts of the client certificate that the TLS handshake already
// verified (tls.enable_mtls) to backends, in declared headers. They go through ctx.upstreamHeaders,
// which replace any client-sent header of the same name, so a client can never forge them
// (docs/reference/auth-and-tls.md §8.1 Rampart note). Facts are computed once per TLS connection.
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { BuildEnv, Stage } from '../../types.js';
import { FACTS, type Fact } from './schema.js';

/** Header-safe text: one line, printable ASCII, anything else percent-encoded. By code point
 * (the `u` flag): matched one UTF-16 unit at a time, half of an emoji made encodeURIComponent
 * throw and the client got no answer at all (issue #14). An unpaired surrogate, which UTF-8
 * decoding never yields, would still throw: it becomes U+FFFD first. */
function safe(v: string): string {
  return v
    .replace(/\n/g, ',')
    .replace(/[\ud800-\udfff]/gu, '\ufffd')
    .replace(/[^\x20-\x7e]|%/gu, (ch) => encodeURIComponent(ch));
}

const EXTRACT: Record<Fact, (c: X509Certificate) => string> = {
  subject: (c) => safe(c.subject),
  issuer: (c) => safe(c.issuer),
  serial: (c) => c.serialNumber,
  fingerprint: (c) => c.fingerprint256.replace(/:/g, '').toLowerCase(),
  san: (c) => safe(c.subjectAltName ?? ''),
  not_after: (c) => new Date(c.validTo).toISOString(),
};

/** The connection's TLS socket: the HTTP/1.1 socket, or the HTTP/2 session's socket. */
function tlsSocketOf(req: IncomingMessage): TLSSocket | undefined {
  const h2 = (req as unknown as { stream?: { session?: { socket?: TLSSocket } } }).stream;
  const s = h2?.session?.socket ?? (req.socket as TLSSocket);
  return s && typeof s.getPeerX509Certificate === 'function' ? s : undefined;
}

/** The runtime of `security/client-cert` (schema.ts loads it on first use). */
export function build(c: { headers: Partial<Record<Fact, string>> }, env: BuildEnv): Stage {
  if (!env.service.tls?.enableMtls) throw new Error('needs "tls": {"enable_mtls": true}: without mutual TLS there is no verified client certificate');
  const wanted = FACTS.flatMap((f) => {
    const h = c.headers[f];
    return h ? [[f, h.toLowerCase()] as const] : [];
  });
  const empty = wanted.flatMap(([, h]) => [h, '']);
  const perConnection = new WeakMap<TLSSocket, string[]>();
  const factsOf = (req: IncomingMessage): string[] => {
    const sock = tlsSocketOf(req);
    if (!sock) return empty;
    let v = perConnection.get(sock);
    if (!v) {
      const cert = sock.getPeerX509Certificate();
      v = cert ? wanted.flatMap(([f, h]) => [h, EXTRACT[f](cert)]) : empty;
      perConnection.set(sock, v);
    }
    return v;
  };
  return {
    onRequest(ctx) {
      const facts = factsOf(ctx.req);
      if (ctx.upstreamHeaders) ctx.upstreamHeaders.push(...facts);
      else ctx.upstreamHeaders = facts.slice();
      return undefined;
    },
  };
}
