// auth/api-keys: keys declared as salted SHA-256 digests, read from a header (Bearer or bare) or a
// query parameter; a wrong, shorter, longer or missing key and a key without an admitted role get
// the same empty 401 and never reach the backend; the admitted role is propagated upstream; a
// per-key rate gives 429; plain keys are refused at startup unless explicitly allowed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { assertNoSecrets } from './helpers/secrets.js';

const SALT = 'pepper-7';
const ADMIN_KEY = 'ak_live_4a7f1c9e2b8d6f0a3c5e7b9d';
const READER_KEY = 'ak_live_0f2e4d6c8b0a1f3e5d7c9b1a';
const digest = (k: string) =>
  createHash('sha256')
    .update(SALT + k)
    .digest('hex');
let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      'auth/api-keys': {
        hash: 'sha256',
        salt: SALT,
        propagate_role: 'X-Role',
        keys: [
          { '@description': 'ops team', key: digest(ADMIN_KEY), roles: ['admin', 'reader'] },
          { key: digest(READER_KEY), roles: ['reader'] },
        ],
      },
    },
    endpoints: [
      { endpoint: '/admin', input_headers: ['X-Role'], backend: [{ url_pattern: '/admin' }], extra_config: { 'auth/api-keys': { roles: ['admin'] } } },
      { endpoint: '/read', backend: [{ url_pattern: '/read' }], extra_config: { 'auth/api-keys': { roles: ['reader'] } } },
      { endpoint: '/header', backend: [{ url_pattern: '/h' }], extra_config: { 'auth/api-keys': { roles: ['reader'], identifier: 'X-Api-Key' } } },
      {
        endpoint: '/query',
        backend: [{ url_pattern: '/q' }],
        extra_config: { 'auth/api-keys': { roles: ['reader'], strategy: 'query_string', identifier: 'api_key' } },
      },
      { endpoint: '/limited', backend: [{ url_pattern: '/l' }], extra_config: { 'auth/api-keys': { roles: ['reader'], client_max_rate: 2 } } },
      { endpoint: '/open', backend: [{ url_pattern: '/o' }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

async function status(path: string, headers: Record<string, string> = {}): Promise<number> {
  const n = be.seen.length;
  const r = await http(gw.port, 'GET', path, headers);
  if (r.status !== 200) {
    assert.equal(r.body, '');
    assert.equal(be.seen.length, n, `${path}: backend called on ${r.status}`);
  }
  return r.status;
}

test('a valid key with an admitted role passes (Bearer or bare), and its role is propagated', async () => {
  const n = be.seen.length;
  assert.equal(await status('/admin', { authorization: `Bearer ${ADMIN_KEY}`, 'X-Role': 'superuser' }), 200);
  assert.equal(be.seen[n].headers['x-role'], 'admin', 'the client cannot choose its role header');
  assert.equal(await status('/read', { authorization: READER_KEY }), 200);
  assert.equal(await status('/read', { authorization: `bearer ${ADMIN_KEY}` }), 200);
  assert.equal(await status('/open'), 200);
});

test('wrong, shorter, longer, empty and missing keys are refused', async () => {
  for (const k of [
    READER_KEY.slice(0, -1),
    READER_KEY + 'x',
    READER_KEY.slice(0, 8),
    READER_KEY.toUpperCase(),
    `x${READER_KEY.slice(1)}`,
    digest(READER_KEY),
    '',
  ]) {
    assert.equal(await status('/read', { authorization: `Bearer ${k}` }), 401, k);
  }
  assert.equal(await status('/read'), 401);
});

test('a valid key without an admitted role is refused the same way', async () => {
  assert.equal(await status('/admin', { authorization: `Bearer ${READER_KEY}` }), 401);
});

test('a custom header or a query parameter carries the key when configured', async () => {
  assert.equal(await status('/header', { 'X-Api-Key': READER_KEY }), 200);
  assert.equal(await status('/header', { authorization: `Bearer ${READER_KEY}` }), 401);
  assert.equal(await status(`/query?api_key=${READER_KEY}`), 200);
  assert.equal(await status(`/query?api_key=${READER_KEY}x`), 401);
  assert.equal(await status('/query', { authorization: `Bearer ${READER_KEY}` }), 401);
});

test('client_max_rate limits each key separately (429)', async () => {
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) codes.push(await status('/limited', { authorization: `Bearer ${READER_KEY}` }));
  assert.ok(codes.includes(429), codes.join(','));
  assert.equal(codes[0], 200);
  assert.equal(await status('/limited', { authorization: `Bearer ${ADMIN_KEY}` }), 200, 'another key has its own budget');
});

test('no key appears in the gateway output', () => {
  assertNoSecrets(gw.output(), [ADMIN_KEY, READER_KEY]);
});

test('plain-text keys are refused at startup unless allow_plain_keys is set; weak hashes always', async () => {
  const cfg = (svc: object) => ({
    version: 3,
    host: [be.origin],
    extra_config: { 'auth/api-keys': { keys: [{ key: 'plain-key-1234', roles: ['r'] }], ...svc } },
    endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/x' }], extra_config: { 'auth/api-keys': { roles: ['r'] } } }],
  });
  await assert.rejects(startGateway(cfg({})), /auth~1api-keys: API keys are stored in plain text/);
  await assert.rejects(startGateway(cfg({ hash: 'fnv128' })), /not a secure digest/);
  await assert.rejects(startGateway(cfg({ hash: 'sha256' })), /want the hex SHA-256 digest/);
  const plain = await startGateway(cfg({ allow_plain_keys: true }));
  try {
    assert.equal((await http(plain.port, 'GET', '/x', { authorization: 'Bearer plain-key-1234' })).status, 200);
    assert.equal((await http(plain.port, 'GET', '/x', { authorization: 'Bearer plain-key-123' })).status, 401);
    assert.match(plain.output(), /plain-text keys in the config/);
    assertNoSecrets(plain.output(), ['plain-key-1234']);
  } finally {
    await plain.stop();
  }
});
