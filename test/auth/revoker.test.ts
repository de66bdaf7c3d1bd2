// auth/revoker: revoked tokens are refused on every validated request (also when the token was
// already in the verified-token cache); revocations enter through the admin listener, which is
// loopback-only by default and requires its key; with Redis (a real redis-server) a revocation on
// node A reaches node B within a second, and a node started later loads it from the snapshot.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { assertNoSecrets, eventually } from './helpers/secrets.js';
import { jwks, makeKey, mint, writeJwksFile, type SigningKey } from './helpers/tokens.js';

const ADMIN_KEY = 'revoker-admin-key-5d0c2e9b';
let redis: RunningRedis;
let key: SigningKey;
let be: TestBackend;
let jwksFile: string;
const gateways: RunningGateway[] = [];
const used: string[] = [ADMIN_KEY];

function config(opts: { redis?: boolean; admin?: boolean } = {}) {
  return {
    version: 3,
    host: [be.origin],
    extra_config: {
      'auth/revoker': {
        N: 100_000,
        P: 0.0000001,
        hash_name: 'optimal',
        TTL: 3600,
        token_keys: ['jti', 'sub'],
        ...(opts.admin !== false ? { admin: { port: 0, key_sha256: createHash('sha256').update(ADMIN_KEY).digest('hex') } } : {}),
        ...(opts.redis ? { redis: { url: redis.url, key_prefix: `rampart:test:${process.pid}` } } : {}),
      },
    },
    endpoints: [{ endpoint: '/api', backend: [{ url_pattern: '/api' }], extra_config: { 'auth/validator': { alg: 'RS256', jwk_local_path: jwksFile } } }],
  };
}

async function start(opts: { redis?: boolean; admin?: boolean } = {}): Promise<RunningGateway> {
  const gw = await startGateway(config(opts));
  gateways.push(gw);
  return gw;
}

function adminPort(gw: RunningGateway): number {
  for (const line of gw.output().split('\n')) {
    if (!line.includes('auth/revoker admin listening')) continue;
    const j = JSON.parse(line);
    assert.equal(j.address, '127.0.0.1', 'the admin listener binds to loopback by default');
    return j.port;
  }
  throw new Error('no admin listener in the output');
}

function revoke(gw: RunningGateway, claim: string, value: string, key = ADMIN_KEY, method = 'POST') {
  return http(adminPort(gw), method, `/tokens/${claim}/${encodeURIComponent(value)}`, key ? { authorization: `Bearer ${key}` } : {});
}

async function call(gw: RunningGateway, token: string): Promise<number> {
  used.push(token);
  return (await http(gw.port, 'GET', '/api', { authorization: `Bearer ${token}` })).status;
}

before(async () => {
  redis = await startRedis();
  key = await makeKey('k1');
  jwksFile = writeJwksFile(jwks(key));
  be = await startBackend();
});

after(async () => {
  for (const g of gateways) await g.stop();
  await be?.close();
  await redis?.stop();
});

test('the admin listener requires its key and validates what it is given', async () => {
  const gw = await start();
  assert.equal((await revoke(gw, 'jti', 'x', '')).status, 401);
  assert.equal((await revoke(gw, 'jti', 'x', 'wrong-key')).status, 401);
  assert.equal((await revoke(gw, 'jti', 'x', ADMIN_KEY + 'x')).status, 401);
  assert.equal((await revoke(gw, 'email', 'x')).status, 400, 'only token_keys can be revoked');
  assert.equal((await http(adminPort(gw), 'GET', '/other', { authorization: `Bearer ${ADMIN_KEY}` })).status, 404);
  const check = await revoke(gw, 'jti', 'never-revoked', ADMIN_KEY, 'GET');
  assert.deepEqual(JSON.parse(check.body), { revoked: false });
});

test('a revoked token is refused, even when it was cached as valid', async () => {
  const gw = await start();
  const t = await mint(key, { jti: 'tok-1', sub: 'alice' });
  const other = await mint(key, { jti: 'tok-2', sub: 'bob' });
  assert.equal(await call(gw, t), 200);
  assert.equal(await call(gw, t), 200);
  const n = be.seen.length;
  assert.equal((await revoke(gw, 'jti', 'tok-1')).status, 204);
  assert.equal(await call(gw, t), 401);
  assert.equal(be.seen.length, n, 'the backend was called with a revoked token');
  assert.equal(await call(gw, other), 200, 'other tokens are unaffected');
  // Revoking a subject revokes every token carrying it.
  assert.equal((await revoke(gw, 'sub', 'bob')).status, 204);
  assert.equal(await call(gw, other), 401);
  assert.equal(await call(gw, await mint(key, { jti: 'tok-3', sub: 'bob' })), 401);
  assert.deepEqual(JSON.parse((await revoke(gw, 'jti', 'tok-1', ADMIN_KEY, 'GET')).body), { revoked: true });
});

test('without "admin" no revocation listener is opened', async () => {
  const gw = await start({ admin: false });
  assert.ok(!gw.output().includes('admin listening'));
});

test('with Redis, a revocation on one node reaches another within a second, and a new node loads it', async () => {
  const a = await start({ redis: true });
  const b = await start({ redis: true, admin: false });
  const t = await mint(key, { jti: 'shared-1', sub: 'carol' });
  assert.equal(await call(a, t), 200);
  assert.equal(await call(b, t), 200);
  const at = Date.now();
  assert.equal((await revoke(a, 'jti', 'shared-1')).status, 204);
  assert.equal(await call(a, t), 401, 'refused on the node that revoked it');
  const reached = await eventually(async () => (await call(b, t)) === 401, 1000, 20);
  assert.ok(reached, 'node B still accepts the token 1 s after the revocation');
  assert.ok(Date.now() - at < 1500);
  // A node that starts after the revocation gets it from the snapshot, before serving.
  const c = await start({ redis: true, admin: false });
  assert.equal(await call(c, t), 401);
  assert.equal(await call(c, await mint(key, { jti: 'shared-2' })), 200);
});

test('a node refuses to start when Redis is unreachable (fail closed)', async () => {
  const cfg = config({ redis: true });
  (cfg.extra_config['auth/revoker'] as Record<string, unknown>).redis = { url: 'redis://127.0.0.1:9', connect_timeout: '500ms' };
  await assert.rejects(startGateway(cfg), /cannot load the revocation list from redis/);
});

test('no token or admin key appears in any gateway output', () => {
  for (const g of gateways) assertNoSecrets(g.output(), used);
});
