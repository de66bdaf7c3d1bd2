// Cluster mode: three gateway processes sharing one real redis-server. A limit of R per period
// admits R ± 5% across the three together; killing Redis keeps every gateway serving with local
// limits (or the configured failure mode); restarting Redis restores the shared limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { blast, blastEach, within } from './load.js';

const R = 300;
let redis: RunningRedis;
let be: TestBackend;
let gws: RunningGateway[] = [];
const ports = () => gws.map((g) => g.port);

async function waitForLog(pattern: RegExp, count = 1, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const missing = gws.filter((g) => (g.output().match(new RegExp(pattern, 'g')) ?? []).length < count);
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`no "${pattern}" (x${count}) in ${missing.length} gateway(s):\n${missing[0].output().slice(-2000)}`);
    await sleep(50);
  }
}

before(async () => {
  redis = await startRedis();
  be = await startBackend();
  const config = {
    version: 3,
    name: 'cluster-test',
    host: [be.origin],
    extra_config: { redis: { connection_pools: [{ name: 'shared', address: `127.0.0.1:${redis.port}`, client_name: 'rampart-test' }] } },
    endpoints: [
      {
        endpoint: '/limited',
        backend: [{ url_pattern: '/limited' }],
        extra_config: { 'qos/ratelimit/router': { max_rate: R, capacity: R, every: '1h', connection_name: 'shared' } },
      },
      {
        endpoint: '/per-client',
        backend: [{ url_pattern: '/per-client' }],
        extra_config: {
          'qos/ratelimit/router/redis': {
            client_max_rate: 50,
            client_capacity: 50,
            every: '1h',
            strategy: 'header',
            key: 'X-Api-Key',
            connection_name: 'shared',
          },
        },
      },
      {
        endpoint: '/quota',
        backend: [{ url_pattern: '/quota' }],
        extra_config: {
          'qos/ratelimit/tiered': {
            tier_key: 'X-Plan',
            tiers: [
              {
                tier_value: 'gold',
                ratelimit_redis: { client_max_rate: 1000, client_capacity: 1000, strategy: 'header', key: 'X-Api-Key', connection_name: 'shared' },
                quota: { max: 40, every: '24h' },
              },
            ],
          },
        },
      },
      {
        endpoint: '/proxy-shared',
        backend: [
          { url_pattern: '/proxy-shared', extra_config: { 'qos/ratelimit/proxy': { max_rate: 20, capacity: 20, every: '1h', connection_name: 'shared' } } },
        ],
      },
      {
        endpoint: '/huge',
        backend: [{ url_pattern: '/huge' }],
        extra_config: { 'qos/ratelimit/router': { max_rate: 1e9, every: '1s', connection_name: 'shared' } },
      },
      {
        endpoint: '/fail-open',
        backend: [{ url_pattern: '/fail-open' }],
        extra_config: { 'qos/ratelimit/router': { max_rate: 1, capacity: 1, every: '1h', connection_name: 'shared', on_redis_failure: 'allow' } },
      },
      {
        endpoint: '/fail-closed',
        backend: [{ url_pattern: '/fail-closed' }],
        extra_config: { 'qos/ratelimit/router/redis': { max_rate: 1000, capacity: 1000, connection_name: 'shared', on_failure_allow: false } },
      },
    ],
  };
  gws = await Promise.all([startGateway(config), startGateway(config), startGateway(config)]);
  await waitForLog(/redis connected/);
});

after(async () => {
  await Promise.all(gws.map((g) => g.stop()));
  await be?.close();
  await redis?.stop();
});

test(`shared limit: ${R} per hour admits ${R} ± 5% across three gateways together`, async () => {
  const t = await blast(ports(), '/limited', 2 * R, 18);
  const admitted = t.byStatus[200] ?? 0;
  process.stdout.write(`# 3 gateways, redis up: admitted ${admitted} of ${2 * R} (limit ${R}), refused ${t.byStatus[429] ?? 0}\n`);
  assert.equal(t.errors, 0);
  assert.ok(within(admitted, R, 0.05), `admitted ${admitted}`);
});

test('a backend (proxy) limit holds across the three gateways: the backend sees max_rate calls', async () => {
  const t = await blast(ports(), '/proxy-shared', 60, 6);
  assert.equal(t.byStatus[200], 20);
  assert.equal(t.byStatus[503], 40);
  assert.equal(be.seen.filter((s) => s.url === '/proxy-shared').length, 20);
});

test('a limit far above the load admits everything through Redis, leasing many units per round trip', async () => {
  const r = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  try {
    await r.connect();
    const scriptCalls = async () => {
      const stats = await r.info('commandstats');
      let n = 0;
      for (const m of stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) n += Number(m[1]);
      return n;
    };
    const before = await scriptCalls();
    const t = await blast(ports(), '/huge', 300, 6);
    assert.equal(t.byStatus[200], 300);
    const calls = (await scriptCalls()) - before;
    process.stdout.write(`# 300 requests over 3 gateways, limit far above the load: ${calls} Redis script calls\n`);
    assert.ok(calls >= 3 && calls <= 30, `${calls} Redis calls for 300 requests`);
  } finally {
    r.disconnect();
  }
  for (const g of gws) assert.doesNotMatch(g.output(), /redis refused|redis unreachable/);
});

test('per-client limits and quotas are shared too; client keys are hashed in Redis', async () => {
  const c = await blast(ports(), '/per-client', 180, 18, (i) => ({ 'x-api-key': i % 2 ? 'secret-key-a' : 'secret-key-b' }));
  assert.ok(within(c.byStatus[200] ?? 0, 100, 0.05), `per-client admitted ${c.byStatus[200]}`);
  const q = await blast(ports(), '/quota', 90, 9, () => ({ 'x-plan': 'gold', 'x-api-key': 'secret-key-q' }));
  assert.ok(within(q.byStatus[200] ?? 0, 40, 0.05), `quota admitted ${q.byStatus[200]}`);
  const r = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  let keys: string[];
  try {
    await r.connect();
    keys = await r.keys('*');
  } finally {
    r.disconnect();
  }
  assert.ok(
    keys.some((k) => k.startsWith('rampart:rl:cluster-test:GET /per-client qos/ratelimit/router/redis client:')),
    keys.join('\n'),
  );
  assert.ok(!keys.some((k) => k.includes('secret-key')), 'a raw credential is used as a Redis key');
});

test('Redis killed: every gateway keeps serving with its local limit; failure modes allow/deny apply', async () => {
  await redis.stop();
  await waitForLog(/redis unreachable/);
  const each = await blastEach(ports(), '/limited', R + 60, 6);
  each.forEach((t, i) => {
    process.stdout.write(`# redis down, gateway ${i}: admitted ${t.byStatus[200] ?? 0} of ${R + 60} (local limit ${R})\n`);
    assert.equal(t.errors, 0);
    assert.ok(within(t.byStatus[200] ?? 0, R, 0.05), `gateway ${i} admitted ${t.byStatus[200]}`);
  });
  const open = await blast(ports(), '/fail-open', 9, 3);
  assert.equal(open.byStatus[200], 9, 'on_redis_failure "allow" admits while Redis is down');
  const closed = await blast(ports(), '/fail-closed', 6, 3);
  assert.equal(closed.byStatus[429], 6, 'on_failure_allow false refuses while Redis is down');
  assert.match(gws[0].output(), /"level":50[^\n]*redis unreachable/, 'the outage is logged as an error');
});

test('Redis restarted: shared limits are restored without restarting the gateways', async () => {
  await redis.restart();
  await waitForLog(/redis connection restored/);
  const t = await blast(ports(), '/limited', 2 * R, 18);
  const admitted = t.byStatus[200] ?? 0;
  process.stdout.write(`# redis restarted: admitted ${admitted} of ${2 * R} (limit ${R})\n`);
  assert.equal(t.errors, 0);
  assert.ok(within(admitted, R, 0.05), `admitted ${admitted}`);
  const closed = await blast(ports(), '/fail-closed', 6, 3);
  assert.equal(closed.byStatus[200], 6);
});
