// auth/validator against an attacker: every forged, expired, misdirected or injected token is
// refused with a bare 401 and the backend is never called; a storm of unknown `kid`s costs at most
// one JWKS download per cooldown interval (counted at a JWKS server the test controls, over HTTPS
// with a private CA); `jku`/`x5u`/`jwk` headers are never followed (the attacker's server receives
// nothing); no token appears in the gateway's output or answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { startJwksServer, type JwksServer } from './helpers/jwks-server.js';
import { assertNoSecrets } from './helpers/secrets.js';
import { createTestCa, type TestCa } from './helpers/test-ca.js';
import { hmacToken, jwks, makeKey, mint, nowS, tamper, unsecured, type SigningKey } from './helpers/tokens.js';

const ISS = 'https://idp.test';
const AUD = 'api://orders';
let ca: TestCa;
let key: SigningKey;
let idp: JwksServer;
let attacker: JwksServer;
let be: TestBackend;
let gw: RunningGateway;
const used: string[] = [];

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

before(async () => {
  ca = createTestCa();
  key = await makeKey('good-key');
  idp = await startJwksServer(jwks(key), ca);
  attacker = await startJwksServer({ keys: [] });
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/orders',
        backend: [{ url_pattern: '/orders' }],
        extra_config: {
          'auth/validator': {
            alg: 'RS256',
            jwk_url: idp.jwksUrl,
            jwk_local_ca: ca.caFile,
            cache: true,
            issuer: ISS,
            audience: [AUD],
            jwk_refresh_cooldown: '2s',
          },
        },
      },
      {
        endpoint: '/invoices',
        backend: [{ url_pattern: '/invoices' }],
        extra_config: {
          'auth/validator': { alg: 'RS256', jwk_url: idp.jwksUrl, jwk_local_ca: ca.caFile, cache: true, issuer: ISS, audience: [AUD], roles: ['billing'] },
        },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
  await idp?.close();
  await attacker?.close();
});

async function expect401(token: string | undefined, label: string, headers?: Record<string, string>): Promise<void> {
  if (token) used.push(token);
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', '/orders', headers ?? (token === undefined ? {} : bearer(token)));
  assert.equal(r.status, 401, `${label}: ${r.status}`);
  assert.equal(r.body, '', `${label}: the body must not say why`);
  assert.equal(r.headers['content-type'], undefined);
  assert.equal(r.headers['www-authenticate'], 'Bearer');
  assert.equal(be.seen.length, n, `${label}: the backend was called`);
}

test('a valid RS256 token passes (the control case)', async () => {
  const t = await mint(key, { iss: ISS, aud: AUD, sub: 'alice' });
  used.push(t);
  const r = await http(gw.port, 'GET', '/orders', bearer(t));
  assert.equal(r.status, 200, r.body);
});

test('every endpoint naming the same JWK set URL shares one download', async () => {
  const t = await mint(key, { iss: ISS, aud: AUD, roles: ['billing'] });
  used.push(t);
  assert.equal((await http(gw.port, 'GET', '/orders', bearer(t))).status, 200);
  assert.equal((await http(gw.port, 'GET', '/invoices', bearer(t))).status, 200);
  assert.equal(idp.downloads(), 1);
});

test('no token, an empty bearer, garbage and non-compact tokens: 401', async () => {
  await expect401(undefined, 'no token');
  await expect401(undefined, 'empty bearer', { authorization: 'Bearer ' });
  await expect401('a.bad.token', 'garbage');
  await expect401('{"payload":"e30","signature":"x"}', 'JWS JSON serialization');
  await expect401('a.b.c.d.e', 'JWE-shaped');
});

test('alg "none" is refused, with or without a known kid', async () => {
  await expect401(unsecured({ iss: ISS, aud: AUD, sub: 'root' }), 'none');
  await expect401(unsecured({ iss: ISS, aud: AUD, sub: 'root' }, key.kid), 'none + kid');
  const t = unsecured({ iss: ISS, aud: AUD, sub: 'root' }, key.kid).replace('"none"', '"NONE"');
  await expect401(t, 'NONE');
});

test('HS256 signed with the RSA public key (algorithm confusion) is refused', async () => {
  const claims = { iss: ISS, aud: AUD, sub: 'root' };
  await expect401(hmacToken(key.publicPem, claims, { kid: key.kid }), 'HS256 with PEM');
  await expect401(hmacToken(Buffer.from(key.publicJwk.n!, 'base64url'), claims, { kid: key.kid }), 'HS256 with modulus');
  await expect401(hmacToken(JSON.stringify(key.publicJwk), claims, { kid: key.kid }), 'HS256 with JWK text');
});

test('expired, not-yet-valid, issued-in-the-future and exp-less tokens are refused', async () => {
  await expect401(await mint(key, { iss: ISS, aud: AUD, exp: nowS() - 30 }), 'expired');
  await expect401(await mint(key, { iss: ISS, aud: AUD, nbf: nowS() + 120 }), 'nbf in the future');
  await expect401(await mint(key, { iss: ISS, aud: AUD, iat: nowS() + 120 }), 'iat in the future');
  await expect401(await mint(key, { iss: ISS, aud: AUD, exp: undefined }), 'no exp');
  await expect401(await mint(key, { iss: ISS, aud: AUD, exp: String(nowS() + 600) as unknown as number }), 'string exp');
});

test('wrong issuer or audience, and wrongly typed registered claims are refused', async () => {
  await expect401(await mint(key, { iss: 'https://evil.test', aud: AUD }), 'wrong iss');
  await expect401(await mint(key, { aud: AUD }), 'no iss');
  await expect401(await mint(key, { iss: ISS, aud: 'api://other' }), 'wrong aud');
  await expect401(await mint(key, { iss: ISS }), 'no aud');
  await expect401(await mint(key, { iss: ISS, aud: AUD, sub: 42 as unknown as string }), 'numeric sub');
});

test('a tampered payload or signature is refused', async () => {
  const good = await mint(key, { iss: ISS, aud: AUD, sub: 'alice', roles: ['user'] });
  await expect401(tamper(good, { iss: ISS, aud: AUD, sub: 'alice', roles: ['admin'], exp: nowS() + 600 }), 'payload swapped');
  const [h, p, s] = good.split('.');
  await expect401(`${h}.${p}.${s.slice(0, -4)}AAAA`, 'signature altered');
  await expect401(`${h}.${p}.`, 'signature removed');
});

test('a forged token reusing the signature of a cached token is verified in full and refused', async () => {
  // The verified-token cache finds entries by the token's tail (its signature): a token that
  // shares that tail with a cached one must still be the very token that was verified.
  const good = await mint(key, { iss: ISS, aud: AUD, sub: 'alice', roles: ['user'] });
  used.push(good);
  assert.equal((await http(gw.port, 'GET', '/orders', bearer(good))).status, 200);
  const [, p, s] = good.split('.');
  await expect401(tamper(good, { iss: ISS, aud: AUD, sub: 'mallory', roles: ['admin'], exp: nowS() + 600 }), 'payload swapped, cached signature');
  const otherHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT', x: 1 })).toString('base64url');
  await expect401(`${otherHeader}.${p}.${s}`, 'header swapped, cached signature');
  await expect401(`${p}.${s}`, 'a suffix of the cached token');
  // The cached token itself still passes, and 'Bearer' is matched in any case.
  assert.equal((await http(gw.port, 'GET', '/orders', { authorization: `bEARER ${good}` })).status, 200);
});

test('a token signed by an unknown key is refused, whatever kid it claims', async () => {
  const other = await makeKey('good-key'); // same kid as the real key, different key material
  await expect401(await mint(other, { iss: ISS, aud: AUD }), 'same kid, other key');
  const stranger = await makeKey('stranger');
  await expect401(await mint(stranger, { iss: ISS, aud: AUD }), 'unknown kid');
});

test('jku, x5u and embedded jwk headers are never followed', async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const evilJwk = { ...(await exportJWK(publicKey)), kid: 'evil' };
  attacker.setJwks({ keys: [evilJwk] });
  const claims = { iss: ISS, aud: AUD, sub: 'root', exp: nowS() + 600 };
  for (const header of [
    { jku: attacker.jwksUrl, kid: 'evil' },
    { x5u: `${attacker.url}/cert.pem`, kid: 'evil' },
    { jwk: evilJwk, kid: 'evil' },
    { jku: attacker.jwksUrl, kid: key.kid },
    { jwk: evilJwk },
  ]) {
    const t = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header }).sign(privateKey);
    await expect401(t, `header ${Object.keys(header).join('+')}`);
  }
  assert.deepEqual(attacker.requests, [], 'the attacker server was contacted');
});

test('a storm of unknown kids causes at most one JWKS download per cooldown interval', async () => {
  // Make sure the set is loaded, then wait out the cooldown so the storm starts from a clean state.
  const ok = await mint(key, { iss: ISS, aud: AUD });
  assert.equal((await http(gw.port, 'GET', '/orders', bearer(ok))).status, 200);
  await new Promise((r) => setTimeout(r, 2100));
  const stranger = await makeKey('x');
  const before = idp.downloads();
  const storm = async () => {
    const tokens = await Promise.all(Array.from({ length: 60 }, (_, i) => mint({ ...stranger, kid: `forged-${Math.random()}-${i}` }, { iss: ISS, aud: AUD })));
    const replies = await Promise.all(tokens.map((t) => http(gw.port, 'GET', '/orders', bearer(t))));
    assert.ok(replies.every((r) => r.status === 401));
  };
  await storm();
  await storm();
  const first = idp.downloads() - before;
  assert.ok(first <= 1, `${first} downloads in one interval`);
  await new Promise((r) => setTimeout(r, 2100));
  await storm();
  const second = idp.downloads() - before - first;
  assert.ok(second <= 1, `${second} downloads in the next interval`);
  // The valid key still works after the storm.
  assert.equal((await http(gw.port, 'GET', '/orders', bearer(ok))).status, 200);
});

test('no token appears in the gateway output', async () => {
  assert.ok(used.length > 20);
  assertNoSecrets(gw.output(), used);
});
