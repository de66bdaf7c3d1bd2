// A real OpenID provider (the `oidc-provider` package) over HTTPS with a test CA, for end-to-end
// tests: it issues client-credentials access tokens as JWTs (RFC 9068, via a resource indicator,
// RFC 8707), publishes its keys at /jwks, and can rotate its signing key without a restart (the
// server swaps in a provider built with the new key first and the old one still published).
// Every request is counted by path so tests can assert how often the gateway called it.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import type { TestCa } from './test-ca.js';

export const RESOURCE = 'urn:rampart:test-api';

export interface OidcClient {
  client_id: string;
  client_secret: string;
  scope?: string;
}

export interface RunningOidc {
  issuer: string;
  port: number;
  jwksUrl: string;
  tokenUrl: string;
  /** Requests seen, by method and path, e.g. "POST /token". */
  hits: Map<string, number>;
  count(key: string): number;
  /** A fresh client-credentials access token (a JWT) for a test client. */
  token(client?: OidcClient, extra?: Record<string, string>): Promise<string>;
  /** Makes a new key the signing key; the old one stays published (unless dropOld). */
  rotate(opts?: { dropOld?: boolean }): Promise<void>;
  /** The kid tokens are currently signed with. */
  currentKid(): string;
  /** Makes the token endpoint answer 500 with a body that must never reach a gateway client. */
  failTokenEndpoint(on: boolean): void;
  close(): Promise<void>;
}

export const DEFAULT_CLIENT: OidcClient = { client_id: 'rampart-gw', client_secret: 'gw-secret-d2f8a1c9e7b4', scope: 'read write' };
export const SECRET_IDP_ERROR = 'IDP-INTERNAL-DETAIL-7f3a';

async function newKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = `k-${Math.random().toString(36).slice(2, 10)}`;
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  return jwk;
}

export async function startOidcProvider(ca: TestCa, opts: { tokenTtlS?: number; clients?: OidcClient[] } = {}): Promise<RunningOidc> {
  const hits = new Map<string, number>();
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let failing = false;
  const server: Server = createServer({ cert: ca.cert, key: ca.key }, (req, res) => {
    const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    if (failing && key === 'POST /token') {
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'server_error', error_description: SECRET_IDP_ERROR }));
    }
    handler!(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const issuer = `https://127.0.0.1:${port}`;
  const clients = opts.clients ?? [DEFAULT_CLIENT];
  const ttl = opts.tokenTtlS ?? 300;
  let keys: JWK[] = [await newKey()];

  const build = () => {
    const provider = new Provider(issuer, {
      clients: clients.map((c) => ({
        client_id: c.client_id,
        client_secret: c.client_secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: c.scope ?? 'read write',
      })),
      jwks: { keys },
      scopes: ['read', 'write'],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'read write',
            audience: RESOURCE,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      ttl: { ClientCredentials: ttl },
    });
    provider.on('server_error', () => undefined);
    handler = provider.callback() as unknown as (req: IncomingMessage, res: ServerResponse) => void;
  };
  build();

  const tokenUrl = `${issuer}/token`;
  return {
    issuer,
    port,
    jwksUrl: `${issuer}/jwks`,
    tokenUrl,
    hits,
    count: (key) => hits.get(key) ?? 0,
    async token(client = clients[0], extra = {}) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', ...(client.scope ? { scope: client.scope } : {}), ...extra });
      const res = await fetchWithCa(ca, tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64'),
        },
        body: body.toString(),
      });
      const json = JSON.parse(res) as { access_token?: string };
      if (!json.access_token) throw new Error(`no token: ${res}`);
      return json.access_token;
    },
    async rotate({ dropOld = false } = {}) {
      const k = await newKey();
      keys = dropOld ? [k] : [k, ...keys];
      build();
    },
    currentKid: () => keys[0].kid!,
    failTokenEndpoint(on) {
      failing = on;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A POST/GET to the provider trusting only the test CA (node:https, no global agent). */
export async function fetchWithCa(ca: TestCa, url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<string> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, ca: ca.caPem, agent: false }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(b));
    });
    req.on('error', reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}
