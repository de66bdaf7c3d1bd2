// auth/client-credentials against a token endpoint the test controls (the real-IdP cases are in
// oidc-provider.test.ts): the exact token request (grant_type, comma-separated scopes sent space
// separated, endpoint_params, HTTP Basic client authentication, then form-body credentials when
// the endpoint refuses Basic), the token type normalised, the client's Authorization replaced,
// and a token endpoint that hangs bounded by the endpoint's own timeout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { assertNoSecrets } from './helpers/secrets.js';

interface TokenCall {
  path: string;
  authorization: string | undefined;
  form: URLSearchParams;
}

const SECRET = 'cc-secret-31f9a0';
let calls: TokenCall[];
let idp: Server;
let idpUrl: string;
let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  calls = [];
  idp = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const call = { path: req.url!, authorization: req.headers.authorization, form: new URLSearchParams(body) };
      calls.push(call);
      if (req.url === '/hang') return; // never answers
      if (req.url === '/body-only' && call.authorization) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"error":"invalid_client"}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `tok-${req.url!.slice(1)}-${calls.length}`, token_type: 'bearer' }));
    });
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
  idpUrl = `http://127.0.0.1:${(idp.address() as { port: number }).port}`;
  be = await startBackend();
  const cc = (path: string, extra: object = {}) => ({ client_id: 'gw id', client_secret: SECRET, token_url: `${idpUrl}${path}`, ...extra });
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/basic',
        input_headers: ['Authorization'],
        backend: [
          {
            url_pattern: '/b',
            extra_config: {
              'auth/client-credentials': cc('/basic', { scopes: 'read,write', endpoint_params: { audience: ['api://x'], resource: ['r1', 'r2'] } }),
            },
          },
        ],
      },
      { endpoint: '/body', backend: [{ url_pattern: '/b', extra_config: { 'auth/client-credentials': cc('/body-only') } }] },
      { endpoint: '/hang', timeout: '800ms', backend: [{ url_pattern: '/b', extra_config: { 'auth/client-credentials': cc('/hang') } }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
  idp.closeAllConnections();
  await new Promise((r) => idp.close(r));
});

test('the token request: Basic client authentication, grant_type, scope, endpoint_params', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/basic', { authorization: 'Bearer from-the-client' });
  assert.equal(r.status, 200, r.body);
  const call = calls.find((c) => c.path === '/basic')!;
  assert.equal(call.authorization, 'Basic ' + Buffer.from(`gw%20id:${SECRET}`).toString('base64'));
  assert.equal(call.form.get('grant_type'), 'client_credentials');
  assert.equal(call.form.get('scope'), 'read write');
  assert.equal(call.form.get('audience'), 'api://x');
  assert.deepEqual(call.form.getAll('resource'), ['r1', 'r2']);
  assert.equal(call.form.get('client_secret'), null, 'the secret is not also sent in the body');
  // The client's own Authorization is replaced; the token type is normalised to "Bearer".
  assert.deepEqual(
    be.seen[n].rawHeaders.filter((_, i, a) => i % 2 === 1 && a[i - 1].toLowerCase() === 'authorization'),
    [`Bearer tok-basic-${calls.indexOf(call) + 1}`],
  );
  // Without expires_in the token is still reused (for a bounded time).
  await http(gw.port, 'GET', '/basic');
  assert.equal(calls.filter((c) => c.path === '/basic').length, 1);
});

test('when the endpoint refuses Basic, the credentials go in the form body (and that style is kept)', async () => {
  assert.equal((await http(gw.port, 'GET', '/body')).status, 200);
  const mine = calls.filter((c) => c.path === '/body-only');
  assert.equal(mine.length, 2);
  assert.ok(mine[0].authorization?.startsWith('Basic '));
  assert.equal(mine[1].authorization, undefined);
  assert.equal(mine[1].form.get('client_id'), 'gw id');
  assert.equal(mine[1].form.get('client_secret'), SECRET);
});

test('a hanging token endpoint is bounded by the endpoint timeout', async () => {
  const n = be.seen.length;
  const t0 = Date.now();
  const r = await http(gw.port, 'GET', '/hang');
  assert.ok(r.status >= 500, String(r.status));
  assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
  assert.equal(be.seen.length, n);
});

test('no client secret or token appears in the gateway output', () => {
  assertNoSecrets(gw.output(), [SECRET, Buffer.from(`gw%20id:${SECRET}`).toString('base64'), 'tok-basic-']);
});
