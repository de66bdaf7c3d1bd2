// Per-client limits and tiers keyed on claims of a validated JWT (strategy "claim",
// tier_claim): auth/validator runs in the authenticate phase and sets ctx.claims before the
// admit-phase limits. Real tokens signed with a key from a local JWKS file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;
let privateKey: CryptoKey;

async function token(claims: Record<string, unknown>): Promise<Record<string, string>> {
  const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setExpirationTime('10m').sign(privateKey);
  return { authorization: `Bearer ${jwt}` };
}

before(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const file = join(mkdtempSync(join(tmpdir(), 'rampart-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [jwk] }));
  const validator = { alg: 'RS256', jwk_local_path: file };
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/per-user',
        backend: [{ url_pattern: '/per-user' }],
        extra_config: {
          'auth/validator': validator,
          'qos/ratelimit/router': { client_max_rate: 2, client_capacity: 2, every: '1h', strategy: 'claim', key: 'sub' },
        },
      },
      {
        endpoint: '/per-org',
        backend: [{ url_pattern: '/per-org' }],
        extra_config: {
          'auth/validator': validator,
          'qos/ratelimit/router': { client_max_rate: 1, client_capacity: 1, every: '1h', strategy: 'claim', key: 'org.id' },
        },
      },
      {
        endpoint: '/by-plan',
        backend: [{ url_pattern: '/by-plan' }],
        extra_config: {
          'auth/validator': validator,
          'qos/ratelimit/tiered': {
            tier_claim: 'plan',
            tiers: [
              { tier_value: 'gold', ratelimit: { client_max_rate: 3, client_capacity: 3, every: '1h', strategy: 'claim', key: 'sub' } },
              { tier_value: 'bronze', ratelimit: { client_max_rate: 1, client_capacity: 1, every: '1h', strategy: 'claim', key: 'sub' } },
            ],
          },
        },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('strategy "claim": each token subject has its own bucket; a forged token never reaches the limiter', async () => {
  const alice = await token({ sub: 'alice' });
  const seq: number[] = [];
  for (let i = 0; i < 3; i++) seq.push((await http(gw.port, 'GET', '/per-user', alice)).status);
  assert.deepEqual(seq, [200, 200, 429]);
  // A new token for the same subject is the same client.
  assert.equal((await http(gw.port, 'GET', '/per-user', await token({ sub: 'alice' }))).status, 429);
  assert.equal((await http(gw.port, 'GET', '/per-user', await token({ sub: 'bob' }))).status, 200);
  // No token: the validator refuses first (401); no claim: no identity, 429.
  assert.equal((await http(gw.port, 'GET', '/per-user')).status, 401);
  assert.equal((await http(gw.port, 'GET', '/per-user', await token({ name: 'no subject' }))).status, 429);
  // Tokens signed with another key are refused by the validator and cost carl nothing.
  const attacker = (await generateKeyPair('RS256')).privateKey;
  for (let i = 0; i < 3; i++) {
    const forged = await new SignJWT({ sub: 'carl' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime('10m').sign(attacker);
    assert.equal((await http(gw.port, 'GET', '/per-user', { authorization: `Bearer ${forged}` })).status, 401);
  }
  const carl = await token({ sub: 'carl' });
  assert.equal((await http(gw.port, 'GET', '/per-user', carl)).status, 200);
  assert.equal((await http(gw.port, 'GET', '/per-user', carl)).status, 200);
  assert.equal(be.seen.filter((s) => s.url === '/per-user').length, 5);
});

test('strategy "claim" with a nested claim path', async () => {
  assert.equal((await http(gw.port, 'GET', '/per-org', await token({ sub: 'u1', org: { id: 'acme' } }))).status, 200);
  assert.equal((await http(gw.port, 'GET', '/per-org', await token({ sub: 'u2', org: { id: 'acme' } }))).status, 429);
  assert.equal((await http(gw.port, 'GET', '/per-org', await token({ sub: 'u3', org: { id: 'globex' } }))).status, 200);
});

test('tier_claim: the plan claim of the validated token selects the tier; no plan is refused', async () => {
  const gold = await token({ sub: 'g1', plan: 'gold' });
  const bronze = await token({ sub: 'b1', plan: 'bronze' });
  const g: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) g.push((await http(gw.port, 'GET', '/by-plan', gold)).status);
  for (let i = 0; i < 2; i++) b.push((await http(gw.port, 'GET', '/by-plan', bronze)).status);
  assert.deepEqual(g, [200, 200, 200, 429]);
  assert.deepEqual(b, [200, 429]);
  assert.equal((await http(gw.port, 'GET', '/by-plan', await token({ sub: 'x' }))).status, 403);
});
