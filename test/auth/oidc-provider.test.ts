// Rampart against a real OpenID provider (oidc-provider over HTTPS, test CA): gateway A validates
// the provider's JWT access tokens through its JWKS (jwk_url + jwk_local_ca) and follows a key
// rotation without restart; gateway B obtains its own client-credentials tokens from the provider
// for its backend calls (which go to gateway A, so A's validator proves each token is real),
// caches them until shortly before expiry, refreshes single-flight, and turns a failing token
// endpoint into a 5xx that leaks nothing of the provider's answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { DEFAULT_CLIENT, RESOURCE, SECRET_IDP_ERROR, startOidcProvider, type OidcClient, type RunningOidc } from './helpers/oidc-provider.js';
import { assertNoSecrets } from './helpers/secrets.js';
import { createTestCa, type TestCa } from './helpers/test-ca.js';

const CLIENT_2: OidcClient = { client_id: 'rampart-gw-2', client_secret: 'second-secret-9c1e55', scope: 'read write' };
let ca: TestCa;
let op: RunningOidc;
let opShort: RunningOidc;
let be: TestBackend;
let gwA: RunningGateway;
let gwB: RunningGateway;
const tokens: string[] = [];

before(async () => {
  ca = createTestCa();
  op = await startOidcProvider(ca, { clients: [DEFAULT_CLIENT, CLIENT_2] });
  opShort = await startOidcProvider(ca, { tokenTtlS: 4 });
  be = await startBackend((req, res) => {
    if (typeof req.headers.authorization === 'string') tokens.push(req.headers.authorization.slice(7));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, client: req.headers['x-client'] ?? null }));
  });
  gwA = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/api',
        input_headers: ['Authorization'],
        backend: [{ url_pattern: '/data' }],
        extra_config: {
          'auth/validator': {
            alg: 'RS256',
            jwk_url: op.jwksUrl,
            jwk_local_ca: ca.caFile,
            cache: true,
            issuer: op.issuer,
            audience: [RESOURCE],
            scopes_key: 'scope',
            scopes: ['read'],
            propagate_claims: [['client_id', 'X-Client']],
            jwk_refresh_cooldown: '1s',
          },
        },
      },
    ],
  });
  const cc = (client: OidcClient, extra: object = {}) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    token_url: op.tokenUrl,
    scopes: 'read,write',
    ...extra,
  });
  gwB = await startGateway({
    version: 3,
    extra_config: { router: { return_error_msg: true } },
    // The token endpoint is trusted through client_tls, as backends are (KrakenD: same transport).
    client_tls: { ca_certs: [ca.caFile] },
    endpoints: [
      {
        endpoint: '/cc',
        input_headers: ['Authorization'],
        backend: [{ host: [gwA.url], url_pattern: '/api', extra_config: { 'auth/client-credentials': cc(DEFAULT_CLIENT) } }],
      },
      // Same client, other scopes: a distinct token source, still unused when the burst starts.
      {
        endpoint: '/cc-burst',
        backend: [{ host: [gwA.url], url_pattern: '/api', extra_config: { 'auth/client-credentials': cc(DEFAULT_CLIENT, { scopes: 'read' }) } }],
      },
      { endpoint: '/cc-fail', backend: [{ host: [be.origin], url_pattern: '/data', extra_config: { 'auth/client-credentials': cc(CLIENT_2) } }] },
      {
        endpoint: '/cc-wrong',
        backend: [
          { host: [be.origin], url_pattern: '/data', extra_config: { 'auth/client-credentials': cc({ ...CLIENT_2, client_secret: 'not-the-secret-4f1a' }) } },
        ],
      },
      {
        endpoint: '/cc-short',
        backend: [
          { host: [be.origin], url_pattern: '/data', extra_config: { 'auth/client-credentials': { ...cc(DEFAULT_CLIENT), token_url: opShort.tokenUrl } } },
        ],
      },
    ],
  });
});

after(async () => {
  await gwB?.stop();
  await gwA?.stop();
  await be?.close();
  await op?.close();
  await opShort?.close();
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

test('a provider-issued JWT access token is validated through the JWKS over HTTPS (private CA)', async () => {
  const t = await op.token();
  tokens.push(t);
  assert.equal(decodeProtectedHeader(t).typ, 'at+jwt');
  const n = be.seen.length;
  const r = await http(gwA.port, 'GET', '/api', { ...bearer(t), 'X-Client': 'spoofed' });
  assert.equal(r.status, 200, r.body);
  assert.equal(be.seen[n].headers['x-client'], DEFAULT_CLIENT.client_id, 'claim propagated over the client value');
  const writeOnly = await op.token({ ...DEFAULT_CLIENT, scope: 'write' });
  tokens.push(writeOnly);
  assert.equal((await http(gwA.port, 'GET', '/api', bearer(writeOnly))).status, 403);
  assert.equal(be.seen.length, n + 1);
});

test('a key rotation at the provider is followed without a restart', async () => {
  const old = await op.token();
  tokens.push(old);
  assert.equal((await http(gwA.port, 'GET', '/api', bearer(old))).status, 200);
  const jwksBefore = op.count('GET /jwks');
  await op.rotate();
  const fresh = await op.token();
  tokens.push(fresh);
  assert.notEqual(decodeProtectedHeader(fresh).kid, decodeProtectedHeader(old).kid);
  await new Promise((r) => setTimeout(r, 1100)); // the refresh cooldown since the last download
  assert.equal((await http(gwA.port, 'GET', '/api', bearer(fresh))).status, 200, 'new kid accepted');
  assert.equal((await http(gwA.port, 'GET', '/api', bearer(old))).status, 200, 'old key still published');
  assert.ok(op.count('GET /jwks') > jwksBefore, 'the JWKS was downloaded again');
  // The provider retires the old key: tokens signed with it stop working, even cached ones.
  await op.rotate({ dropOld: true });
  const newest = await op.token();
  tokens.push(newest);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await http(gwA.port, 'GET', '/api', bearer(newest))).status, 200);
  assert.equal((await http(gwA.port, 'GET', '/api', bearer(old))).status, 401, 'retired key no longer vouches');
});

test('client credentials: gateway B calls gateway A with a provider token A accepts', async () => {
  const n = be.seen.length;
  // Whatever Authorization the client sends is replaced by B's own token.
  const r = await http(gwB.port, 'GET', '/cc', { authorization: 'Bearer forged-by-client' });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { ok: true, client: DEFAULT_CLIENT.client_id });
  assert.equal(be.seen.length, n + 1);
  assert.match(String(be.seen[n].headers.authorization), /^Bearer ey/);
});

test('client credentials: a burst of requests makes one token request, and the token is reused', async () => {
  const before = op.count('POST /token');
  const replies = await Promise.all(Array.from({ length: 20 }, () => http(gwB.port, 'GET', '/cc-burst')));
  assert.ok(
    replies.every((r) => r.status === 200),
    replies.map((r) => r.status).join(','),
  );
  assert.equal(op.count('POST /token') - before, 1, 'single-flight');
  await http(gwB.port, 'GET', '/cc-burst');
  assert.equal(op.count('POST /token') - before, 1, 'cached');
});

test('client credentials: the token is refreshed shortly before it expires', async () => {
  // 4 s tokens: refreshed at half-life (2 s) — never used in their last seconds.
  assert.equal((await http(gwB.port, 'GET', '/cc-short')).status, 200);
  assert.equal((await http(gwB.port, 'GET', '/cc-short')).status, 200);
  assert.equal(opShort.count('POST /token'), 1);
  await new Promise((r) => setTimeout(r, 2300));
  assert.equal((await http(gwB.port, 'GET', '/cc-short')).status, 200);
  assert.equal(opShort.count('POST /token'), 2);
});

test('client credentials: a failing token endpoint gives a 5xx that leaks nothing', async () => {
  op.failTokenEndpoint(true);
  try {
    const n = be.seen.length;
    const r = await http(gwB.port, 'GET', '/cc-fail');
    assert.ok(r.status >= 500 && r.status < 600, String(r.status));
    assert.ok(!r.body.includes(SECRET_IDP_ERROR) && !r.body.includes('server_error'), r.body);
    assert.equal(be.seen.length, n, 'the backend was called without a token');
  } finally {
    op.failTokenEndpoint(false);
  }
  const wrong = await http(gwB.port, 'GET', '/cc-wrong');
  assert.ok(wrong.status >= 500 && wrong.status < 600, String(wrong.status));
  assert.ok(!/invalid_client|client authentication/i.test(wrong.body), wrong.body);
  await new Promise((r) => setTimeout(r, 1100)); // past the failure back-off
  assert.equal((await http(gwB.port, 'GET', '/cc-fail')).status, 200, 'recovers once the IdP does');
});

test('no token or client secret appears in either gateway output', () => {
  assert.ok(tokens.length >= 5);
  const secrets = [...tokens, DEFAULT_CLIENT.client_secret, CLIENT_2.client_secret, 'not-the-secret-4f1a', SECRET_IDP_ERROR];
  assertNoSecrets(gwA.output(), secrets, 'gateway A output');
  assertNoSecrets(gwB.output(), secrets, 'gateway B output');
});
