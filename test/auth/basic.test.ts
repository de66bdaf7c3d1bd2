// auth/basic: users from an htpasswd file with bcrypt hashes ($2y$ as written by `htpasswd -B`
// included) and inline users; a wrong password, an unknown user or a malformed header get 401
// with a Basic challenge and never reach the backend; an endpoint's `{}` inherits the service
// block; non-bcrypt htpasswd entries are refused at startup; no password reaches the logs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { assertNoSecrets } from './helpers/secrets.js';

const ALICE_PW = 'correct horse battery staple';
const BOB_PW = 'b0b-s3cret-pw!';
const CAROL_PW = 'carol:with:colons';
let dir: string;
let be: TestBackend;
let gw: RunningGateway;

const basic = (user: string, pw: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64') });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-htpasswd-'));
  const aliceHash = bcrypt.hashSync(ALICE_PW, 8).replace(/^\$2b\$/, '$2y$');
  writeFileSync(join(dir, 'users.htpasswd'), `# team\nalice:${aliceHash}\nbob:${bcrypt.hashSync(BOB_PW, 8)}\n`);
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: { 'auth/basic': { htpasswd_path: join(dir, 'users.htpasswd') } },
    endpoints: [
      { endpoint: '/inherit', backend: [{ url_pattern: '/i' }], extra_config: { 'auth/basic': {} } },
      { endpoint: '/carol-only', backend: [{ url_pattern: '/c' }], extra_config: { 'auth/basic': { users: { carol: bcrypt.hashSync(CAROL_PW, 8) } } } },
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
  if (r.status === 401) {
    assert.equal(r.body, '');
    assert.match(String(r.headers['www-authenticate']), /^Basic realm=/);
    assert.equal(be.seen.length, n, 'the backend was called');
  }
  return r.status;
}

test('valid users pass ($2y$ and $2b$ hashes); the endpoint block {} inherits the service one', async () => {
  assert.equal(await status('/inherit', basic('alice', ALICE_PW)), 200);
  assert.equal(await status('/inherit', basic('bob', BOB_PW)), 200);
  assert.equal(await status('/inherit', basic('alice', ALICE_PW)), 200, 'again, from the verification cache');
  assert.equal(await status('/open'), 200);
});

test('a wrong password, an unknown user and malformed credentials are refused', async () => {
  assert.equal(await status('/inherit', basic('alice', ALICE_PW + ' ')), 401);
  assert.equal(await status('/inherit', basic('alice', BOB_PW)), 401);
  assert.equal(await status('/inherit', basic('mallory', ALICE_PW)), 401);
  assert.equal(await status('/inherit', basic('', ALICE_PW)), 401);
  assert.equal(await status('/inherit', { authorization: 'Basic !!!' }), 401);
  assert.equal(await status('/inherit', { authorization: `Bearer ${ALICE_PW}` }), 401);
  assert.equal(await status('/inherit'), 401);
  // A cached success for alice does not admit alice with another password.
  assert.equal(await status('/inherit', basic('alice', ALICE_PW)), 200);
  assert.equal(await status('/inherit', basic('alice', 'x')), 401);
});

test('a non-empty endpoint block replaces the service users; passwords may contain ":"', async () => {
  assert.equal(await status('/carol-only', basic('carol', CAROL_PW)), 200);
  assert.equal(await status('/carol-only', basic('alice', ALICE_PW)), 401);
});

test('no password appears in the gateway output', () => {
  assertNoSecrets(gw.output(), [ALICE_PW, BOB_PW, CAROL_PW, basic('alice', ALICE_PW).authorization.slice(6)]);
});

test('an htpasswd file with a non-bcrypt hash is refused at startup', async () => {
  const file = join(dir, 'md5.htpasswd');
  writeFileSync(file, 'dave:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n');
  await assert.rejects(
    startGateway({
      version: 3,
      host: [be.origin],
      endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/x' }], extra_config: { 'auth/basic': { htpasswd_path: file } } }],
    }),
    /not a bcrypt hash/,
  );
});
