// Fail-closed configuration of the auth namespaces: `rampart check` (and startup) refuses a JWKS
// URL over plain HTTP unless disable_jwk_security is set (then the startup log says INSECURE),
// unsupported KrakenD options, impossible combinations and unsafe header targets, each with its
// JSON pointer. And disable_jwk_security never turns off certificate verification: an HTTPS JWKS
// host with an untrusted certificate gets no trust (tokens are refused).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { startJwksServer, type JwksServer } from './helpers/jwks-server.js';
import { eventually } from './helpers/secrets.js';
import { createTestCa, type TestCa } from './helpers/test-ca.js';
import { jwks, makeKey, mint, writeJwksFile, type SigningKey } from './helpers/tokens.js';

let ca: TestCa;
let key: SigningKey;
let plainIdp: JwksServer;
let tlsIdp: JwksServer;
let be: TestBackend;

before(async () => {
  ca = createTestCa();
  key = await makeKey('k1');
  plainIdp = await startJwksServer(jwks(key));
  tlsIdp = await startJwksServer(jwks(key), ca);
  be = await startBackend();
});

after(async () => {
  await plainIdp?.close();
  await tlsIdp?.close();
  await be?.close();
});

function check(config: object): { code: number | null; out: string } {
  const file = writeConfig(config);
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', file], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const endpoint = (extra: object, more: object = {}) => ({
  endpoint: '/x',
  backend: [{ url_pattern: '/x', host: ['http://127.0.0.1:9'] }],
  extra_config: extra,
  ...more,
});

test('a JWKS URL over plain HTTP is refused unless disable_jwk_security is set', async () => {
  const r = check({ version: 3, endpoints: [endpoint({ 'auth/validator': { alg: 'RS256', jwk_url: plainIdp.jwksUrl } })] });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /\/endpoints\/0\/extra_config\/auth~1validator: jwk_url must use https:\/\//);
  await assert.rejects(
    startGateway({ version: 3, endpoints: [endpoint({ 'auth/validator': { alg: 'RS256', jwk_url: plainIdp.jwksUrl } })] }),
    /jwk_url must use https/,
  );

  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/x',
        backend: [{ url_pattern: '/x' }],
        extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: plainIdp.jwksUrl, disable_jwk_security: true } },
      },
    ],
  });
  try {
    assert.match(gw.output(), /"level":40.*INSECURE: auth\/validator has disable_jwk_security set/);
    assert.equal((await http(gw.port, 'GET', '/x', { authorization: `Bearer ${await mint(key, {})}` })).status, 200);
  } finally {
    await gw.stop();
  }
});

test('`rampart check` flags disable_jwk_security and other insecure auth settings (exit 0)', () => {
  const r = check({
    version: 3,
    extra_config: { 'auth/api-keys': { keys: [{ key: 'plain-key-0000', roles: ['r'] }], allow_plain_keys: true } },
    endpoints: [endpoint({ 'auth/validator': { alg: 'RS256', jwk_url: plainIdp.jwksUrl, disable_jwk_security: true } })],
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /: warning: \/endpoints\/0\/extra_config\/auth~1validator: INSECURE: auth\/validator has disable_jwk_security set/);
  assert.match(r.out, /: warning: \/extra_config\/auth~1api-keys: INSECURE: auth\/api-keys: plain-text keys/);
  assert.ok(!r.out.includes('plain-key-0000'));
});

test('disable_jwk_security does not disable certificate verification of an HTTPS JWKS host', async () => {
  const v = { alg: 'RS256', jwk_url: tlsIdp.jwksUrl, disable_jwk_security: true };
  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/x' }], extra_config: { 'auth/validator': v } }],
  });
  try {
    const n = be.seen.length;
    assert.equal((await http(gw.port, 'GET', '/x', { authorization: `Bearer ${await mint(key, {})}` })).status, 401);
    assert.equal(be.seen.length, n);
    assert.ok(await eventually(() => /JWK set download failed/.test(gw.output())), gw.output());
  } finally {
    await gw.stop();
  }
});

test('jwk_fingerprints pins the JWKS host key: a matching pin works, another is refused', async () => {
  const spki = (pem: string) =>
    createHash('sha256')
      .update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url');
  const start = (pins: string[]) =>
    startGateway({
      version: 3,
      host: [be.origin],
      endpoints: [
        {
          endpoint: '/x',
          backend: [{ url_pattern: '/x' }],
          extra_config: { 'auth/validator': { alg: 'RS256', jwk_url: tlsIdp.jwksUrl, jwk_local_ca: ca.caFile, jwk_fingerprints: pins } },
        },
      ],
    });
  const token = { authorization: `Bearer ${await mint(key, {})}` };
  for (const [pins, want] of [
    [[spki(ca.cert)], 200],
    [[spki(ca.caPem) + '='], 200],
    [[createHash('sha256').update('other').digest('base64url')], 401],
  ] as const) {
    const gw = await start([...pins]);
    try {
      assert.equal((await http(gw.port, 'GET', '/x', token)).status, want, `pins ${pins.join()}`);
    } finally {
      await gw.stop();
    }
  }
});

test('schema problems of the auth namespaces are reported with their JSON pointers', () => {
  const r = check({
    version: 3,
    endpoints: [
      endpoint({ 'auth/validator': { alg: 'none', jwk_url: tlsIdp.jwksUrl } }),
      endpoint({ 'auth/validator': { alg: 'RS256', jwk_url: tlsIdp.jwksUrl, rolez: ['a'] } }, { endpoint: '/b' }),
      endpoint({ 'auth/signer': { alg: 'HS256', kid: 'k', jwk_url: tlsIdp.jwksUrl } }, { endpoint: '/c' }),
      endpoint({ 'auth/api-keys': { roles: [] } }, { endpoint: '/d' }),
    ],
    extra_config: { 'auth/revoker': { N: 10, P: 2, hash_name: 'optimal', TTL: 60, token_keys: ['jti'], admin: { port: 1 } } },
  });
  assert.equal(r.code, 1, r.out);
  for (const re of [
    /\/endpoints\/0\/extra_config\/auth~1validator\/alg: must be one of/,
    /\/endpoints\/1\/extra_config\/auth~1validator\/rolez: unknown field "rolez"/,
    /\/endpoints\/2\/extra_config\/auth~1signer: must have required property 'keys_to_sign'/,
    /\/endpoints\/3\/extra_config\/auth~1api-keys\/roles: must NOT have fewer than 1 items/,
    /\/extra_config\/auth~1revoker\/P: must be < 1/,
    /\/extra_config\/auth~1revoker\/admin: must have required property 'key_sha256'/,
  ]) {
    assert.match(r.out, re);
  }
});

test('build problems of the auth namespaces are all reported in one run', () => {
  const local = writeJwksFile(jwks(key));
  const r = check({
    version: 3,
    extra_config: { 'auth/revoker': { N: 10, P: 0.01, hash_name: 'optimal', TTL: 60, token_keys: ['jti'], revoke_server_api_key: 'x' } },
    endpoints: [
      endpoint({ 'auth/validator': { alg: 'RS256', jwk_local_path: local, cache: true } }),
      endpoint({ 'auth/validator': { alg: 'RS256', jwk_url: plainIdp.jwksUrl } }, { endpoint: '/b' }),
      endpoint({ 'auth/validator': { alg: 'RS256', jwk_url: tlsIdp.jwksUrl, secret_url: 'base64key://x', cypher_key: 'y' } }, { endpoint: '/c' }),
      endpoint({ 'auth/validator': { alg: 'RS256' } }, { endpoint: '/d' }),
      endpoint({ 'auth/validator': { alg: 'RS256', jwk_local_path: local, propagate_claims: [['sub', 'Host']] } }, { endpoint: '/e' }),
      endpoint({ 'auth/validator': { alg: 'RS256', jwk_url: tlsIdp.jwksUrl, jwk_local_ca: '/nonexistent/ca.pem' } }, { endpoint: '/f' }),
      endpoint({ 'auth/signer': { alg: 'RS256', kid: 'k1', keys_to_sign: ['t'], jwk_local_path: local } }, { endpoint: '/g' }),
      {
        endpoint: '/h',
        backend: [
          {
            url_pattern: '/x',
            host: ['http://127.0.0.1:9'],
            input_headers: ['X-Other'],
            extra_config: { 'auth/client-credentials': { client_id: 'a', client_secret: 'b', token_url: 'https://127.0.0.1:9/token' } },
          },
        ],
      },
      endpoint({ 'auth/api-keys': { roles: ['a'] } }, { endpoint: '/i' }),
    ],
  });
  assert.equal(r.code, 1, r.out);
  for (const re of [
    /\/extra_config\/auth~1revoker: the Enterprise Revoke Server/,
    /\/endpoints\/0\/extra_config\/auth~1validator: "cache" cannot be combined with "jwk_local_path"/,
    /\/endpoints\/1\/extra_config\/auth~1validator: jwk_url must use https/,
    /\/endpoints\/2\/extra_config\/auth~1validator: encrypted JWK files/,
    /\/endpoints\/3\/extra_config\/auth~1validator: one of "jwk_url" or "jwk_local_path" is required/,
    /\/endpoints\/4\/extra_config\/auth~1validator\/propagate_claims: header "Host"/,
    /\/endpoints\/5\/extra_config\/auth~1validator\/jwk_local_ca: cannot read/,
    /\/endpoints\/6\/extra_config\/auth~1signer: key "k1" cannot sign: key has no private part/,
    /\/endpoints\/7\/backend\/0\/extra_config\/auth~1client-credentials: the backend's input_headers would drop/,
    /\/endpoints\/8\/extra_config\/auth~1api-keys: needs "auth\/api-keys" with the keys at service level/,
  ]) {
    assert.match(r.out, re);
  }
});

test('the legacy namespace name of the validator is accepted', async () => {
  const gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/x',
        backend: [{ url_pattern: '/x' }],
        extra_config: { 'github.com/devopsfaith/krakend-jose/validator': { alg: 'RS256', jwk_local_path: writeJwksFile(jwks(key)) } },
      },
    ],
  });
  try {
    assert.equal((await http(gw.port, 'GET', '/x')).status, 401);
    assert.equal((await http(gw.port, 'GET', '/x', { authorization: `Bearer ${await mint(key, {})}` })).status, 200);
  } finally {
    await gw.stop();
  }
});
