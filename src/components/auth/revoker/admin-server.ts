// Rampart's revocation API (replaces KrakenD's unauthenticated Go RPC port, docs/reference/auth-and-tls.md §3.2): a small
// HTTP listener, off unless `admin` is configured, bound to loopback unless told otherwise, and
// requiring `Authorization: Bearer <key>` whose SHA-256 matches `admin.key_sha256` (compared in
// constant time). Routes follow the EE Revoke Server's shape:
//   POST /tokens/{claim}/{value}  revoke (204; 503 when the cluster could not be told)
//   GET  /tokens/{claim}/{value}  {"revoked": true|false}
// Neither values nor keys are logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../observability/logger.js';

export interface AdminOptions {
  address: string;
  port: number;
  keySha256: Buffer;
  tokenKeys: readonly string[];
  revoke(entry: string): Promise<void>;
  isRevoked(entry: string): boolean;
  log: Logger;
}

const MAX_VALUE = 1024;

function reply(res: ServerResponse, status: number, body?: object): void {
  const text = body ? JSON.stringify(body) : '';
  const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' };
  if (body) headers['content-type'] = 'application/json';
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  res.writeHead(status, headers);
  res.end(text);
}

function authorized(req: IncomingMessage, keySha256: Buffer): boolean {
  const h = req.headers.authorization;
  if (typeof h !== 'string' || h.length < 8 || h.slice(0, 7).toLowerCase() !== 'bearer ') return false;
  const got = createHash('sha256').update(h.slice(7).trim()).digest();
  return timingSafeEqual(got, keySha256);
}

export async function startAdminServer(o: AdminOptions): Promise<{ server: Server; port: number }> {
  const claims = new Set(o.tokenKeys);
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (req, res) => {
    req.resume();
    if (!authorized(req, o.keySha256)) return reply(res, 401);
    const path = (req.url ?? '').split('?')[0];
    const m = /^\/tokens\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m) return reply(res, 404);
    let claim: string;
    let value: string;
    try {
      claim = decodeURIComponent(m[1]);
      value = decodeURIComponent(m[2]);
    } catch {
      return reply(res, 400, { error: 'bad encoding' });
    }
    if (!claims.has(claim)) return reply(res, 400, { error: 'claim is not one of token_keys' });
    if (value.length === 0 || value.length > MAX_VALUE) return reply(res, 400, { error: 'bad value' });
    const entry = `${claim}-${value}`;
    if (req.method === 'GET') return reply(res, 200, { revoked: o.isRevoked(entry) });
    if (req.method !== 'POST') return reply(res, 405);
    o.revoke(entry).then(
      () => {
        o.log.info({ claim }, 'token revoked');
        reply(res, 204);
      },
      (err) => {
        o.log.error({ claim, err: (err as Error).message }, 'revocation recorded on this node only: the cluster could not be told');
        reply(res, 503, { error: 'revocation not shared with the cluster' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
