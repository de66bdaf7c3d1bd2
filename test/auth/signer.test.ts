// auth/signer: the declared objects of a backend response become JWS tokens signed with the
// private JWK chosen by kid (header {alg, kid, typ}, payload = the object with sorted keys,
// compact), that verify with the public key and are accepted by Rampart's own validator; `full`
// gives the JSON serialization; fields that are present but not objects, and backend failures,
// give an empty 400; a kid missing from the set or a public-only key stops the gateway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { compactVerify, decodeProtectedHeader, flattenedVerify, importJWK } from 'jose';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { assertNoSecrets } from './helpers/secrets.js';
import { jwks, makeKey, nowS, writeJwksFile, type SigningKey } from './helpers/tokens.js';

let key: SigningKey;
let be: TestBackend;
let gw: RunningGateway;
const claims = { sub: 'alice', roles: ['admin'], exp: nowS() + 600, aud: 'web', z: 1, a: '<&>' };

before(async () => {
  key = await makeKey('signing-1', 'ES256');
  const privateFile = writeJwksFile({ keys: [key.privateJwk] });
  const publicFile = writeJwksFile(jwks(key));
  be = await startBackend((req, res) => {
    if (req.url === '/fail') {
      res.writeHead(500);
      return res.end('db down: password=hunter2');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/bad') return res.end(JSON.stringify({ access_token: 'already-a-string' }));
    res.end(JSON.stringify({ access_token: claims, refresh_token: { sub: 'alice', aud: 'web', roles: ['user'], exp: nowS() + 3600 }, expires_in: 600 }));
  });
  const signer = { alg: 'ES256', kid: 'signing-1', jwk_local_path: privateFile };
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    cache_ttl: '1h',
    endpoints: [
      {
        endpoint: '/login',
        backend: [{ url_pattern: '/login' }],
        extra_config: { 'auth/signer': { ...signer, keys_to_sign: ['access_token', 'refresh_token', 'not_there'] } },
      },
      {
        endpoint: '/login-full',
        backend: [{ url_pattern: '/login' }],
        extra_config: { 'auth/signer': { ...signer, keys_to_sign: ['access_token'], full: true } },
      },
      { endpoint: '/bad', backend: [{ url_pattern: '/bad' }], extra_config: { 'auth/signer': { ...signer, keys_to_sign: ['access_token'] } } },
      { endpoint: '/fail', backend: [{ url_pattern: '/fail' }], extra_config: { 'auth/signer': { ...signer, keys_to_sign: ['access_token'] } } },
      {
        endpoint: '/me',
        backend: [{ url_pattern: '/me' }],
        extra_config: { 'auth/validator': { alg: 'ES256', jwk_local_path: publicFile, roles: ['admin'], audience: ['web'] } },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('declared objects are replaced by tokens signed with the kid, header and payload as KrakenD writes them', async () => {
  const r = await http(gw.port, 'GET', '/login');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(r.headers['cache-control'], undefined, 'signed answers are not cacheable');
  assert.equal(r.headers['x-rampart-completed'], undefined);
  const body = JSON.parse(r.body);
  assert.equal(body.expires_in, 600);
  const [h, p] = body.access_token.split('.');
  assert.equal(Buffer.from(h, 'base64url').toString(), '{"alg":"ES256","kid":"signing-1","typ":"JWT"}');
  // Sorted keys, compact, Go's HTML escaping.
  assert.equal(Buffer.from(p, 'base64url').toString(), `{"a":"\\u003c\\u0026\\u003e","aud":"web","exp":${claims.exp},"roles":["admin"],"sub":"alice","z":1}`);
  const pub = await importJWK(key.publicJwk, 'ES256');
  const v = await compactVerify(body.access_token, pub);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(v.payload)), claims);
  await compactVerify(body.refresh_token, pub);
  assert.equal(decodeProtectedHeader(body.refresh_token).kid, 'signing-1');
});

test('a token signed by the gateway is accepted by its validator (roundtrip)', async () => {
  const token = JSON.parse((await http(gw.port, 'GET', '/login')).body).access_token;
  assert.equal((await http(gw.port, 'GET', '/me', { authorization: `Bearer ${token}` })).status, 200);
  const refresh = JSON.parse((await http(gw.port, 'GET', '/login')).body).refresh_token;
  assert.equal((await http(gw.port, 'GET', '/me', { authorization: `Bearer ${refresh}` })).status, 403, 'no admin role');
});

test('full: true gives the JWS JSON serialization', async () => {
  const body = JSON.parse((await http(gw.port, 'GET', '/login-full')).body);
  const jws = JSON.parse(body.access_token);
  assert.deepEqual(Object.keys(jws), ['payload', 'protected', 'signature']);
  await flattenedVerify(jws, await importJWK(key.publicJwk, 'ES256'));
});

test('a field that is not an object, or a failing backend, gives an empty 400', async () => {
  const bad = await http(gw.port, 'GET', '/bad');
  assert.equal(bad.status, 400);
  assert.equal(bad.body, '');
  const fail = await http(gw.port, 'GET', '/fail');
  assert.equal(fail.status, 400);
  assert.equal(fail.body, '');
});

test('the private key never appears in output or answers', async () => {
  const body = (await http(gw.port, 'GET', '/login')).body;
  assertNoSecrets(gw.output() + body, [String(key.privateJwk.d)]);
});

test('a kid missing from the set, or a public-only key, stops the gateway', async () => {
  const cfg = (signer: object) => ({
    version: 3,
    host: [be.origin],
    endpoints: [{ endpoint: '/l', backend: [{ url_pattern: '/login' }], extra_config: { 'auth/signer': signer } }],
  });
  await assert.rejects(
    startGateway(cfg({ alg: 'ES256', kid: 'nope', keys_to_sign: ['a'], jwk_local_path: writeJwksFile({ keys: [key.privateJwk] }) })),
    /no key with kid "nope"/,
  );
  await assert.rejects(startGateway(cfg({ alg: 'ES256', kid: 'signing-1', keys_to_sign: ['a'], jwk_local_path: writeJwksFile(jwks(key)) })), /no private part/);
  await assert.rejects(
    startGateway(cfg({ alg: 'RS256', kid: 'signing-1', keys_to_sign: ['a'], jwk_local_path: writeJwksFile({ keys: [key.privateJwk] }) })),
    /cannot sign/,
  );
});
