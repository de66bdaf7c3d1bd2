// The security event log (issue #15): every refusal is one structured line with its code,
// component, endpoint, method, client IP, status and a fixed reason, and never the credential or
// query value that was refused; under a flood the lines are bounded and the rest summarised.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import bcrypt from 'bcryptjs';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http, rawExchange } from '../helpers/http.js';
import { makeKey, mint, writeJwksFile, jwks } from '../auth/helpers/tokens.js';

const SECRET = 'Zx9-secret-7Qp';
const SALT = 'salt-1';
let be: TestBackend;
let gw: RunningGateway;
let goodToken: string;
let expiredToken: string;

before(async () => {
  const key = await makeKey('k1');
  const validator = { alg: 'RS256', jwk_local_path: writeJwksFile(jwks(key)), roles_key: 'roles', roles: ['admin'] };
  goodToken = await mint(key, { sub: 'u', roles: ['user'] });
  expiredToken = await mint(key, { sub: 'u', exp: Math.floor(Date.now() / 1000) - 3600 });
  be = await startBackend();
  gw = await startGateway(
    {
      version: 3,
      host: [be.origin],
      extra_config: {
        'auth/api-keys': {
          hash: 'sha256',
          salt: SALT,
          keys: [
            {
              key: createHash('sha256')
                .update(SALT + 'real-key')
                .digest('hex'),
              roles: ['r'],
            },
          ],
        },
        'security/bot-detector': { deny: ['EvilBot/1.0'] },
      },
      endpoints: [
        { endpoint: '/jwt/{id}', backend: [{ url_pattern: '/jwt/{id}' }], extra_config: { 'auth/validator': validator } },
        { endpoint: '/key', backend: [{ url_pattern: '/key' }], extra_config: { 'auth/api-keys': { roles: ['r'] } } },
        {
          endpoint: '/basic',
          backend: [{ url_pattern: '/basic' }],
          extra_config: { 'auth/basic': { users: { alice: bcrypt.hashSync('right-password', 4) } } },
        },
        {
          endpoint: '/limited',
          input_query_strings: ['q'],
          backend: [{ url_pattern: '/limited' }],
          extra_config: { 'qos/ratelimit/router': { max_rate: 1, capacity: 1, every: '1h' } },
        },
        { endpoint: '/small', method: 'POST', backend: [{ url_pattern: '/small' }], extra_config: { proxy: { max_payload: 10 } } },
        { endpoint: '/p/{v}', backend: [{ url_pattern: '/p/{v}' }] },
      ],
    },
    { env: { RAMPART_SECURITY_SUMMARY_MS: '500' } },
  );
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

function events(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of gw.output().split('\n')) {
    try {
      const j = JSON.parse(line);
      if (j.security_event) out.push(j);
    } catch {
      /* not JSON */
    }
  }
  return out;
}

async function lastEventAfter(n: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 40 && events().length <= n; i++) await sleep(25);
  const e = events();
  assert.ok(e.length > n, 'no security event was logged');
  return e[e.length - 1];
}

test('each kind of refusal is one line with code, component, endpoint pattern, client IP, status and reason', async () => {
  const cases: [() => Promise<unknown>, Record<string, unknown>][] = [
    [
      () => http(gw.port, 'GET', `/jwt/1?token=${SECRET}`),
      { security_event: 'auth.jwt.missing', component: 'auth/validator', endpoint: '/jwt/{id}', status: 401, reason: 'no token' },
    ],
    [
      () => http(gw.port, 'GET', '/jwt/1', { authorization: `Bearer ${expiredToken}` }),
      { security_event: 'auth.jwt.invalid', component: 'auth/validator', status: 401 },
    ],
    [() => http(gw.port, 'GET', '/jwt/1', { authorization: `Bearer ${SECRET}.${SECRET}.${SECRET}` }), { security_event: 'auth.jwt.invalid', status: 401 }],
    [() => http(gw.port, 'GET', '/jwt/1', { authorization: `Bearer ${goodToken}` }), { security_event: 'auth.jwt.forbidden', status: 403 }],
    [
      () => http(gw.port, 'GET', '/key', { authorization: `Bearer ${SECRET}` }),
      { security_event: 'auth.apikey.invalid', component: 'auth/api-keys', status: 401 },
    ],
    [
      () => http(gw.port, 'GET', '/basic', { authorization: 'Basic ' + Buffer.from(`alice:${SECRET}`).toString('base64') }),
      { security_event: 'auth.basic.invalid', status: 401 },
    ],
    [
      () => http(gw.port, 'GET', '/key', { 'user-agent': 'EvilBot/1.0', cookie: `s=${SECRET}` }),
      { security_event: 'bot.denied', component: 'security/bot-detector', status: 403, endpoint: '/key' },
    ],
    [
      () => http(gw.port, 'POST', '/small', { 'content-type': 'text/plain' }, SECRET.repeat(3)),
      { security_event: 'request.too_large', status: 413, endpoint: '/small' },
    ],
    [() => http(gw.port, 'GET', '/p/..%2Fadmin'), { security_event: 'request.path_param', status: 400, endpoint: '/p/{v}' }],
    [
      () => http(gw.port, 'GET', '/key?' + Array.from({ length: 1001 }, (_, i) => `k${i}=${SECRET}`).join('&')),
      { security_event: 'request.too_many_query_params', status: 414, endpoint: '/key' },
    ],
    [() => rawExchange(gw.port, 'GET /key HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'), { security_event: 'request.malformed', status: 400 }],
  ];
  // The rate limit: the second call is refused.
  await http(gw.port, 'GET', `/limited?q=${SECRET}`);
  cases.push([
    () => http(gw.port, 'GET', `/limited?q=${SECRET}`),
    { security_event: 'limit.endpoint', component: 'qos/ratelimit', status: 429, endpoint: '/limited' },
  ]);
  for (const [send, expected] of cases) {
    const n = events().length;
    await send();
    const e = await lastEventAfter(n);
    for (const [k, v] of Object.entries(expected)) assert.equal(e[k], v, `${expected.security_event}: ${k} = ${String(e[k])}`);
    assert.equal(e.client_ip, '127.0.0.1');
    assert.equal(e.msg, 'request refused');
    assert.equal(typeof e.reason, 'string');
  }
  await sleep(100);
  assert.ok(!gw.output().includes(SECRET), 'a secret reached the log');
  assert.ok(!gw.output().includes(goodToken.split('.')[2]), 'a token signature reached the log');
});

test('a flood of refusals writes a bounded number of lines per code, then one summary line', async () => {
  const before = events().filter((e) => e.security_event === 'auth.apikey.missing').length;
  const N = 400;
  for (let i = 0; i < N; i += 20) await Promise.all(Array.from({ length: 20 }, () => http(gw.port, 'GET', '/key')));
  await sleep(700);
  const lines = events().filter((e) => e.security_event === 'auth.apikey.missing' && e.msg === 'request refused').length - before;
  const summaries = events().filter((e) => e.security_event === 'auth.apikey.missing' && e.msg === 'security events suppressed (rate bound)');
  process.stdout.write(`# ${N} refusals: ${lines} lines, suppressed ${summaries.map((s) => s.suppressed).join('+')}\n`);
  assert.ok(lines >= 50 && lines < 120, `${lines} lines for ${N} refusals`);
  const suppressed = summaries.reduce((a, s) => a + Number(s.suppressed), 0);
  assert.equal(lines + suppressed, N, 'every refusal is either logged or counted');
});
