// Service-wide limits and tiered limits with quotas, end to end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      // 4 requests per hour per X-Service-Client over all endpoints together.
      'qos/ratelimit/service': { client_max_rate: 4, client_capacity: 4, every: '1h', strategy: 'header', key: 'X-Service-Client' },
    },
    endpoints: [
      { endpoint: '/one', backend: [{ url_pattern: '/one' }] },
      { endpoint: '/two', backend: [{ url_pattern: '/two' }] },
      {
        endpoint: '/plans',
        backend: [{ url_pattern: '/plans' }],
        extra_config: {
          'qos/ratelimit/tiered': {
            tier_key: 'X-Plan',
            tiers: [
              {
                tier_value: 'gold',
                ratelimit: { client_max_rate: 100, client_capacity: 100, every: '1h', strategy: 'header', key: 'X-Api-Key' },
                quota: { max: 4, every: '24h' },
              },
              { tier_value: 'silver', ratelimit: { client_max_rate: 2, client_capacity: 2, every: '1h', strategy: 'header', key: 'X-Api-Key' } },
            ],
          },
        },
      },
      {
        endpoint: '/plans-default',
        backend: [{ url_pattern: '/plans-default' }],
        extra_config: {
          'qos/ratelimit/tiered': {
            tier_key: 'X-Plan',
            tiers: [
              { tier_value: 'gold', ratelimit: { client_max_rate: 5, client_capacity: 5, every: '1h', strategy: 'header', key: 'X-Api-Key' } },
              { tier_value_as: '*', ratelimit: { max_rate: 1, capacity: 1, every: '1h' } },
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

const svc = (id: string) => ({ 'x-service-client': id });

test('service limit: a client is counted across every endpoint together', async () => {
  const seq: number[] = [];
  for (const p of ['/one', '/two', '/one', '/two', '/one', '/two']) seq.push((await http(gw.port, 'GET', p, svc('s1'))).status);
  assert.deepEqual(seq, [200, 200, 200, 200, 429, 429]);
  // Refused before routing: even unknown paths are refused, and nothing reached the backend.
  assert.equal((await http(gw.port, 'GET', '/nowhere', svc('s1'))).status, 429);
  // The gateway's health check is exempt: a busy node is not a dead node.
  assert.equal((await http(gw.port, 'GET', '/__health', svc('s1'))).status, 200);
  assert.equal(be.seen.filter((s) => s.url === '/one' || s.url === '/two').length, 4);
  assert.equal((await http(gw.port, 'GET', '/one', svc('s2'))).status, 200);
});

test('tiers: each plan has its own rate; the quota caps a client per day with Retry-After to the window end', async () => {
  const silver: number[] = [];
  for (let i = 0; i < 3; i++) silver.push((await http(gw.port, 'GET', '/plans', { ...svc('t1'), 'x-plan': 'silver', 'x-api-key': 'k-silver' })).status);
  assert.deepEqual(silver, [200, 200, 429]);
  const gold: number[] = [];
  for (let i = 0; i < 3; i++) gold.push((await http(gw.port, 'GET', '/plans', { ...svc('t2'), 'x-plan': 'gold', 'x-api-key': 'k-gold' })).status);
  assert.deepEqual(gold, [200, 200, 200], 'gold is not held to the silver rate');
  // The quota (4 per UTC day) is per client of the tier: one more is allowed, then refused.
  assert.equal((await http(gw.port, 'GET', '/plans', { ...svc('t3'), 'x-plan': 'gold', 'x-api-key': 'k-gold' })).status, 200);
  const r = await http(gw.port, 'GET', '/plans', { ...svc('t3'), 'x-plan': 'gold', 'x-api-key': 'k-gold' });
  assert.equal(r.status, 429);
  assert.equal(r.headers['ratelimit-policy'], '"quota";q=4;w=86400');
  const untilMidnight = Math.ceil((86_400_000 - (Date.now() % 86_400_000)) / 1000);
  assert.ok(Math.abs(Number(r.headers['retry-after']) - untilMidnight) <= 5, `retry-after ${r.headers['retry-after']} vs ${untilMidnight}`);
  // Another gold client still has its whole quota.
  assert.equal((await http(gw.port, 'GET', '/plans', { ...svc('t4'), 'x-plan': 'gold', 'x-api-key': 'k-gold-2' })).status, 200);
});

test('tiers: a request matching no tier is refused (403), never let through unlimited', async () => {
  const n = be.seen.length;
  assert.equal((await http(gw.port, 'GET', '/plans', { ...svc('t5'), 'x-plan': 'platinum', 'x-api-key': 'k' })).status, 403);
  assert.equal((await http(gw.port, 'GET', '/plans', { ...svc('t6'), 'x-api-key': 'k' })).status, 403);
  assert.equal(be.seen.length, n);
});

test('tiers: the "*" tier catches everything else', async () => {
  assert.equal((await http(gw.port, 'GET', '/plans-default', { ...svc('t7'), 'x-plan': 'gold', 'x-api-key': 'a' })).status, 200);
  assert.equal((await http(gw.port, 'GET', '/plans-default', { ...svc('t8') })).status, 200);
  assert.equal((await http(gw.port, 'GET', '/plans-default', { ...svc('t9'), 'x-plan': 'bronze' })).status, 429);
});
