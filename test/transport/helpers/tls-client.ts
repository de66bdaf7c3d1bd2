// TLS clients for tests: one HTTPS/1.1 request on a fresh connection with chosen TLS settings
// (versions, suites, client certificate, SNI), and HTTP/2 requests over one session.
import { request } from 'node:https';
import { connect, type ClientHttp2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';

export interface TlsReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  protocol: string | null;
  cipher: string;
  peerCertPem?: string;
}

export interface TlsOpts {
  ca?: string | string[];
  cert?: string;
  key?: string;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
  servername?: string;
  headers?: Record<string, string>;
  method?: string;
  body?: string;
  localAddress?: string;
  rejectUnauthorized?: boolean;
}

export function httpsGet(port: number, path: string, o: TlsOpts = {}): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: o.method ?? 'GET',
        agent: false,
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        minVersion: o.minVersion,
        maxVersion: o.maxVersion,
        ciphers: o.ciphers,
        servername: o.servername,
        headers: o.headers,
        localAddress: o.localAddress,
        rejectUnauthorized: o.rejectUnauthorized ?? true,
      },
      (res) => {
        const sock = res.socket as TLSSocket;
        const protocol = sock.getProtocol();
        const cipher = sock.getCipher()?.name ?? '';
        const peer = sock.getPeerX509Certificate?.();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, protocol, cipher, peerCertPem: peer?.toString() }));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

export interface H2Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function h2Connect(port: number, o: { ca?: string; cert?: string; key?: string; servername?: string } = {}): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = connect(`https://127.0.0.1:${port}`, { ca: o.ca, cert: o.cert, key: o.key, servername: o.servername });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

export function h2Request(s: ClientHttp2Session, path: string, headers: Record<string, string> = {}, method = 'GET', payload?: string): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const r = s.request({ ':path': path, ':method': method, ...headers });
    let status = 0;
    let hdrs: Record<string, string | string[] | undefined> = {};
    let body = '';
    r.on('response', (h) => {
      status = Number(h[':status']);
      hdrs = h as Record<string, string | string[] | undefined>;
    });
    r.setEncoding('utf8');
    r.on('data', (c) => (body += c));
    r.on('end', () => resolve({ status, headers: hdrs, body }));
    r.on('error', reject);
    if (payload !== undefined) r.end(payload);
    else r.end();
  });
}
