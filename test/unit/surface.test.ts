// `rampart surface` (issue #15) as the real CLI: the attack surface per endpoint, what a change
// opens or closes (--diff), the JSON and HTML formats; the HTML page is loaded in a real browser
// (Chromium via playwright-core): rows, badges and changes are there, and a hostile value in the
// config cannot run script. No secret of the config is ever printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import bcrypt from 'bcryptjs';
import { BIN, writeConfig } from '../helpers/gateway.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SALT = 'surface-salt';
const KEY_DIGEST = createHash('sha256')
  .update(SALT + 'the-real-key')
  .digest('hex');
const HASH = bcrypt.hashSync('pw', 4);
const XSS = `<img src=x onerror="document.title='pwned'">`;

const validator = { alg: 'RS256', jwk_url: 'https://idp.example/jwks', audience: ['orders'], roles_key: 'roles', roles: ['admin'] };
const oldConfig = {
  version: 3,
  host: ['http://orders.internal:8080'],
  extra_config: {
    'security/cors': { allow_origins: ['https://app.example'] },
    'auth/api-keys': { hash: 'sha256', salt: SALT, keys: [{ key: KEY_DIGEST, roles: ['svc'] }] },
    'auth/basic': { users: { [XSS]: HASH, ops: HASH } },
  },
  endpoints: [
    {
      endpoint: '/orders/{id}',
      input_headers: ['X-Request-Id'],
      extra_config: { 'auth/validator': validator, 'qos/ratelimit/router': { client_max_rate: 10, every: '1s', strategy: 'ip' } },
      backend: [{ url_pattern: '/o/{id}' }],
    },
    { endpoint: '/status', backend: [{ url_pattern: '/status' }] },
    { endpoint: '/svc', extra_config: { 'auth/api-keys': { roles: ['svc'] } }, backend: [{ url_pattern: '/svc' }] },
    { endpoint: '/ops', extra_config: { 'auth/basic': {} }, backend: [{ url_pattern: '/ops' }] },
  ],
};
const newConfig = {
  ...oldConfig,
  extra_config: { ...oldConfig.extra_config, 'security/cors': { allow_origins: ['https://app.example', 'https://partner.example'] } },
  endpoints: [
    {
      endpoint: '/orders/{id}',
      input_headers: ['*'],
      input_query_strings: ['debug'],
      extra_config: { 'auth/validator': validator },
      backend: [{ url_pattern: '/o/{id}' }],
    },
    { endpoint: '/admin/export', backend: [{ url_pattern: '/export', host: ['http://reports.internal'] }] },
    { endpoint: '/svc', extra_config: { 'auth/api-keys': { roles: ['svc'] } }, backend: [{ url_pattern: '/svc' }] },
    { endpoint: '/ops', extra_config: { 'auth/basic': {} }, backend: [{ url_pattern: '/ops' }] },
  ],
};

function surface(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'surface', ...args], { encoding: 'utf8' });
}

test('text: per endpoint, who may call it, what reaches which backend, what bounds it; no secret', () => {
  const r = surface('-c', writeConfig(oldConfig));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^GET \/orders\/\{id\}\n {2}callers: {2}jwt \(alg RS256; audience orders; roles admin; token from Authorization\)$/m);
  assert.match(r.stdout, /^GET \/status\n {2}callers: {2}ANYONE \(no authentication\)$/m);
  assert.match(r.stdout, /callers: {2}api-key \(roles svc; 1 key\(s\) declared; key in header Authorization\)/);
  assert.match(r.stdout, /limits: {3}endpoint: 10 per 1s per client \(ip\)/);
  assert.match(r.stdout, /→ GET http:\/\/orders\.internal:8080\/o\/\{id\} \(headers X-Request-Id; query none\)/);
  assert.ok(!r.stdout.includes(KEY_DIGEST) && !r.stdout.includes(HASH) && !r.stdout.includes(SALT), 'a secret was printed');
});

test('--diff: what the change opens and closes', () => {
  const r = surface('-c', writeConfig(newConfig), '--diff', writeConfig(oldConfig), '--format', 'json');
  assert.equal(r.status, 0, r.stderr);
  const { changes } = JSON.parse(r.stdout) as { changes: { endpoint: string; effect: string; what: string }[] };
  const has = (effect: string, endpoint: string, what: RegExp) =>
    assert.ok(
      changes.some((c) => c.effect === effect && c.endpoint === endpoint && what.test(c.what)),
      `${effect} ${endpoint} ${what}\n${JSON.stringify(changes, null, 1)}`,
    );
  has('opens', 'GET /orders/{id}', /every client header reaches the backends/);
  has('opens', 'GET /orders/{id}', /query string debug reaches the backends/);
  has('opens', 'GET /orders/{id}', /cookies reach the backends/);
  has('opens', 'GET /orders/{id}', /limit removed: endpoint: 10 per 1s per client/);
  has('opens', 'GET /admin/export', /new endpoint, open to anyone/);
  has('closes', 'GET /status', /endpoint removed/);
  has('opens', '(every endpoint)', /CORS origin allowed: https:\/\/partner\.example/);
  assert.ok(
    !changes.some((c) => c.endpoint === 'GET /svc'),
    `an unchanged endpoint reported a change: ${JSON.stringify(changes.filter((c) => c.endpoint === 'GET /svc'))}`,
  );
  // A surface saved as JSON is a valid OLD too.
  const saved = writeConfig({}).replace(/rampart\.json$/, 'surface.json');
  writeFileSync(saved, surface('-c', writeConfig(oldConfig), '--format', 'json').stdout);
  const again = JSON.parse(surface('-c', writeConfig(newConfig), '--diff', saved, '--format', 'json').stdout);
  assert.deepEqual(again.changes, changes);
});

test('html: one self-contained page, checked in a real browser; a hostile config value cannot run script', async () => {
  const r = surface('-c', writeConfig(newConfig), '--diff', writeConfig(oldConfig), '--format', 'html');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!/<script|src="http|href="http/i.test(r.stdout), 'the page loads nothing and runs nothing');
  const file = writeConfig({}).replace(/rampart\.json$/, 'surface.html');
  writeFileSync(file, r.stdout);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    assert.equal(await page.locator('#endpoints tbody tr').count(), 4);
    assert.equal(await page.locator('tr[data-endpoint="GET /admin/export"] .badge.open').textContent(), 'public');
    assert.ok((await page.locator('.changes li.opens').count()) >= 6);
    assert.equal(await page.locator('.changes li.closes').count(), 1);
    const ops = await page.locator('tr[data-endpoint="GET /ops"]').textContent();
    assert.ok(ops!.includes(XSS), 'the hostile user name is shown as text');
    assert.notEqual(await page.title(), 'pwned', 'a config value ran as script');
    assert.equal(await page.locator('img').count(), 0);
  } finally {
    await browser.close();
  }
});

test('an invalid config: its problems and exit 1', () => {
  const r = surface(
    '-c',
    writeConfig({ version: 3, endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/x' }], extra_config: { 'auth/validtor': {} } }] }),
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unknown namespace "auth\/validtor"/);
});
