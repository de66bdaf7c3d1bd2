// auth/validator's authorization and what reaches the backend, with keys from a local JWKS file:
// roles (flat and nested, any-of) and scopes (any/all) give 403 with an empty body; claims are
// propagated into declared headers, overwriting what the client sent and made header-safe;
// {JWT.x} url_pattern placeholders; tokens from a custom header or a cookie (only when
// cookie_key is set); HS256 with an oct key, and an HS256 validator never accepting a token
// checked against an RSA key; the verified-token cache still re-checks `exp`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { assertNoSecrets } from './helpers/secrets.js';
import { hmacToken, jwks, makeKey, mint, nowS, writeJwksFile, type SigningKey } from './helpers/tokens.js';

let key: SigningKey;
let be: TestBackend;
let gw: RunningGateway;
const used: string[] = [];
const HMAC_SECRET = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef');

const bearer = (t: string) => {
  used.push(t);
  return { authorization: `Bearer ${t}` };
};

before(async () => {
  key = await makeKey('rsa-1');
  const rsaFile = writeJwksFile(jwks(key));
  const octFile = writeJwksFile({ keys: [{ kty: 'oct', kid: 'hmac-1', alg: 'HS256', k: HMAC_SECRET.toString('base64url') }] });
  be = await startBackend((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  const v = { alg: 'RS256', jwk_local_path: rsaFile };
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      { endpoint: '/roles', backend: [{ url_pattern: '/r' }], extra_config: { 'auth/validator': { ...v, roles: ['admin', 'ops'] } } },
      {
        endpoint: '/nested',
        backend: [{ url_pattern: '/n' }],
        extra_config: { 'auth/validator': { ...v, roles_key: 'realm_access.roles', roles_key_is_nested: true, roles: ['admin'] } },
      },
      {
        endpoint: '/scopes-all',
        backend: [{ url_pattern: '/s' }],
        extra_config: { 'auth/validator': { ...v, scopes_key: 'scope', scopes: ['read', 'write'], scopes_matcher: 'all' } },
      },
      {
        endpoint: '/scopes-any',
        backend: [{ url_pattern: '/s' }],
        extra_config: { 'auth/validator': { ...v, scopes_key: 'scope', scopes: ['read', 'write'] } },
      },
      {
        endpoint: '/propagate',
        input_headers: ['X-User', 'X-Tenant'],
        backend: [{ url_pattern: '/p' }],
        extra_config: {
          'auth/validator': {
            ...v,
            propagate_claims: [
              ['sub', 'X-User'],
              ['org.tenant', 'X-Tenant'],
              ['groups', 'X-Groups'],
              ['missing', 'X-Missing'],
              ['level', 'X-Level'],
            ],
          },
        },
      },
      { endpoint: '/users/{id}', backend: [{ url_pattern: '/u/{id}/{JWT.sub}' }], extra_config: { 'auth/validator': v } },
      { endpoint: '/custom-header', backend: [{ url_pattern: '/c' }], extra_config: { 'auth/validator': { ...v, auth_header_name: 'X-Token' } } },
      { endpoint: '/cookie', backend: [{ url_pattern: '/c' }], extra_config: { 'auth/validator': { ...v, cookie_key: 'session' } } },
      { endpoint: '/no-cookie', backend: [{ url_pattern: '/c' }], extra_config: { 'auth/validator': v } },
      { endpoint: '/hmac', backend: [{ url_pattern: '/h' }], extra_config: { 'auth/validator': { alg: 'HS256', jwk_local_path: octFile } } },
      { endpoint: '/hmac-rsa', backend: [{ url_pattern: '/h' }], extra_config: { 'auth/validator': { alg: 'HS256', jwk_local_path: rsaFile } } },
      {
        endpoint: '/x5t',
        backend: [{ url_pattern: '/t' }],
        extra_config: {
          'auth/validator': {
            alg: 'RS256',
            key_identify_strategy: 'x5t',
            jwk_local_path: writeJwksFile({ keys: [{ ...key.publicJwk, kid: 'kx', x5t: 'thumb-1' }] }),
          },
        },
      },
      { endpoint: '/short-lived', backend: [{ url_pattern: '/l' }], extra_config: { 'auth/validator': { ...v, leeway: '1s' } } },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

async function status(path: string, headers: Record<string, string>): Promise<number> {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', path, headers);
  if (r.status !== 200) {
    assert.equal(r.body, '', `${path}: a rejection has no body`);
    assert.equal(be.seen.length, n, `${path}: the backend was called on ${r.status}`);
  }
  return r.status;
}

test('roles: any listed role admits; none, a missing claim or a malformed claim is 403', async () => {
  assert.equal(await status('/roles', bearer(await mint(key, { roles: ['user', 'ops'] }))), 200);
  assert.equal(await status('/roles', bearer(await mint(key, { roles: 'user admin' }))), 200);
  assert.equal(await status('/roles', bearer(await mint(key, { roles: ['user'] }))), 403);
  assert.equal(await status('/roles', bearer(await mint(key, {}))), 403);
  assert.equal(await status('/roles', bearer(await mint(key, { roles: ['admin', 7] }))), 403);
  assert.equal(await status('/roles', bearer(await mint(key, { roles: ['Admin'] }))), 403, 'case-sensitive');
  // The cached decision is per token: the same 403 token stays 403, a granted one stays 200.
  const denied = await mint(key, { roles: ['user'] });
  assert.equal(await status('/roles', bearer(denied)), 403);
  assert.equal(await status('/roles', bearer(denied)), 403);
});

test('nested roles (Keycloak realm_access.roles)', async () => {
  assert.equal(await status('/nested', bearer(await mint(key, { realm_access: { roles: ['admin'] } }))), 200);
  assert.equal(await status('/nested', bearer(await mint(key, { realm_access: { roles: ['user'] } }))), 403);
  assert.equal(await status('/nested', bearer(await mint(key, { 'realm_access.roles': ['admin'] }))), 403);
});

test('scopes: "all" needs every scope, "any" one of them', async () => {
  assert.equal(await status('/scopes-all', bearer(await mint(key, { scope: 'read write extra' }))), 200);
  assert.equal(await status('/scopes-all', bearer(await mint(key, { scope: 'read' }))), 403);
  assert.equal(await status('/scopes-any', bearer(await mint(key, { scope: 'read' }))), 200);
  assert.equal(await status('/scopes-any', bearer(await mint(key, { scope: ['write'] }))), 200);
  assert.equal(await status('/scopes-any', bearer(await mint(key, { scope: 'delete' }))), 403);
  assert.equal(await status('/scopes-any', bearer(await mint(key, { scope: [] }))), 403);
});

test('propagated claims overwrite client headers and cannot inject headers', async () => {
  const t = await mint(key, { sub: 'alice\r\nX-Admin: true', org: { tenant: 'acme' }, groups: ['a', 'b'], level: 3 });
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/propagate', { ...bearer(t), 'X-User': 'mallory', 'X-Tenant': 'evil', 'X-Missing': 'forged' });
  assert.equal(r.status, 200);
  const h = be.seen[n].headers;
  assert.equal(h['x-user'], 'aliceX-Admin: true', 'CR/LF removed, client value replaced');
  assert.equal(h['x-admin'], undefined);
  assert.equal(h['x-tenant'], 'acme');
  assert.equal(h['x-groups'], 'a,b');
  assert.equal(h['x-level'], '3');
  assert.equal(h['x-missing'], '', 'a missing claim still overwrites the client header');
  assert.equal(be.seen[n].rawHeaders.filter((x) => x.toLowerCase() === 'x-user').length, 1);
});

test('{JWT.sub} in url_pattern is filled from the validated token, percent-encoded', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/users/7', bearer(await mint(key, { sub: 'a b?x=1#f' })));
  assert.equal(r.status, 200);
  assert.equal(be.seen[n].url, '/u/7/a%20b%3Fx%3D1%23f');
});

test('a {JWT.sub} that would leave the url_pattern prefix is refused before any backend (issue #14)', async () => {
  for (const sub of ['../admin?x=1', '..', 'a/b', 'a\\b', '%2e%2e']) {
    const n = be.seen.length;
    const r = await http(gw.port, 'GET', '/users/7', bearer(await mint(key, { sub })));
    assert.equal(r.status, 400, sub);
    assert.equal(be.seen.length, n, `${sub} reached the backend`);
  }
});

test('a custom header carries the token; Authorization is then ignored', async () => {
  const t = await mint(key, {});
  used.push(t);
  assert.equal(await status('/custom-header', { 'X-Token': t }), 200);
  assert.equal(await status('/custom-header', { 'X-Token': `Bearer ${t}` }), 200);
  assert.equal(await status('/custom-header', { authorization: `Bearer ${t}` }), 401);
});

test('a cookie is read only when cookie_key is configured', async () => {
  const t = await mint(key, {});
  used.push(t);
  assert.equal(await status('/cookie', { cookie: `theme=dark; session=${t}; x=y` }), 200);
  assert.equal(await status('/cookie', { cookie: `access_token=${t}` }), 401);
  assert.equal(await status('/no-cookie', { cookie: `access_token=${t}` }), 401, 'no implicit access_token cookie');
  // A present but bad header does not fall back to the cookie.
  assert.equal(await status('/cookie', { authorization: 'Bearer nope', cookie: `session=${t}` }), 401);
});

test('HS256 with an oct key works; an HS256 validator never uses an RSA key', async () => {
  assert.equal(await status('/hmac', bearer(hmacToken(HMAC_SECRET, {}, { kid: 'hmac-1' }))), 200);
  assert.equal(await status('/hmac', bearer(hmacToken(Buffer.from('wrong-secret-wrong-secret-wrong!!'), {}, { kid: 'hmac-1' }))), 401);
  // The RSA public key is public: an HS256 validator whose set holds only RSA keys refuses all.
  assert.equal(await status('/hmac-rsa', bearer(hmacToken(key.publicPem, {}, { kid: 'rsa-1' }))), 401);
  assert.equal(await status('/hmac', bearer(await mint(key, {}))), 401, 'RS256 token on an HS256 endpoint');
});

test('key_identify_strategy x5t selects by thumbprint, falling back to kid', async () => {
  assert.equal(await status('/x5t', bearer(await mint(key, {}, { kid: 'other', x5t: 'thumb-1' }))), 200);
  assert.equal(await status('/x5t', bearer(await mint(key, {}, { kid: 'kx', x5t: 'thumb-2' }))), 401);
  assert.equal(await status('/x5t', bearer(await mint(key, {}, { kid: 'kx' }))), 200);
});

test('a cached token is refused once it expires (exp re-checked on every hit)', async () => {
  const t = await mint(key, { exp: nowS() + 2 });
  assert.equal(await status('/short-lived', bearer(t)), 200);
  assert.equal(await status('/short-lived', bearer(t)), 200);
  await new Promise((r) => setTimeout(r, 3600)); // exp + leeway (1 s) passed
  assert.equal(await status('/short-lived', bearer(t)), 401);
});

test('no token appears in the gateway output', () => {
  assertNoSecrets(gw.output(), used);
});
