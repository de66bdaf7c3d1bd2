// One node, `rampart run --workers 2`, no Redis: a configured limit holds for the node, not per
// worker. The coordinator (one shard, inside the primary, up to 16 workers) holds the buckets;
// workers lease units from it over a Unix socket (src/ratelimit/shard-*.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { servingPids as pidsFromLog } from '../helpers/cluster-log.js';
import { freePort } from '../helpers/redis.js';
import { blast, within } from './load.js';

const R = 200;
let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  be = await startBackend();
  // A Redis pool on a port where nothing listens: the Redis-backed limit runs on its fallback.
  const deadRedis = await freePort();
  gw = await startGateway(
    {
      version: 3,
      host: [be.origin],
      extra_config: { redis: { connection_pools: [{ name: 'down', address: `127.0.0.1:${deadRedis}`, dial_timeout: '200ms' }] } },
      endpoints: [
        {
          endpoint: '/redis-down',
          backend: [{ url_pattern: '/redis-down' }],
          extra_config: { 'qos/ratelimit/router': { max_rate: 100, capacity: 100, every: '1h', connection_name: 'down' } },
        },
        { endpoint: '/limited', backend: [{ url_pattern: '/limited' }], extra_config: { 'qos/ratelimit/router': { max_rate: R, capacity: R, every: '1h' } } },
        {
          endpoint: '/per-client',
          backend: [{ url_pattern: '/per-client' }],
          extra_config: { 'qos/ratelimit/router': { client_max_rate: 40, client_capacity: 40, every: '1h', strategy: 'header', key: 'X-Client' } },
        },
        {
          endpoint: '/quota',
          backend: [{ url_pattern: '/quota' }],
          extra_config: {
            'qos/ratelimit/tiered': {
              tier_key: 'X-Plan',
              tiers: [{ tier_value_as: '*', quota: { max: 60, every: '24h', strategy: 'header', key: 'X-Client' } }],
            },
          },
        },
      ],
    },
    { workers: 2 },
  );
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

const servingPids = (path: string, status: number) => pidsFromLog(gw.output(), path, status);

test(`a shared limit of ${R} admits ${R} ± 5% across 2 workers, not ${2 * R}`, async () => {
  const t = await blast([gw.port], '/limited', 2 * R + 100, 16);
  const admitted = t.byStatus[200] ?? 0;
  process.stdout.write(`# workers=2 limit=${R}: admitted ${admitted}, refused ${t.byStatus[429] ?? 0}, errors ${t.errors}\n`);
  assert.equal(t.errors, 0);
  assert.ok(within(admitted, R, 0.05), `admitted ${admitted}`);
  assert.equal(admitted + (t.byStatus[429] ?? 0), 2 * R + 100);
  assert.equal(be.seen.filter((s) => s.url === '/limited').length, admitted);
  // Both workers really served traffic (otherwise this would prove nothing).
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(servingPids('/limited', 200).size >= 2, 'only one worker served');
});

test('per-client buckets and quotas are node-wide too', async () => {
  const c = await blast([gw.port], '/per-client', 120, 12, (i) => ({ 'x-client': i % 2 ? 'a' : 'b' }));
  const admitted = c.byStatus[200] ?? 0;
  assert.ok(within(admitted, 80, 0.05), `per-client admitted ${admitted} (2 clients x 40)`);
  const q = await blast([gw.port], '/quota', 150, 12, () => ({ 'x-client': 'q' }));
  const used = q.byStatus[200] ?? 0;
  process.stdout.write(`# workers=2: per-client admitted ${admitted}/80, quota admitted ${used}/60\n`);
  assert.ok(within(used, 60, 0.05), `quota admitted ${used}`);
  assert.equal((q.byStatus[429] ?? 0) + used, 150);
});

test('with Redis unreachable, the local fallback of a Redis-backed limit also holds per node, not per worker', async () => {
  const t = await blast([gw.port], '/redis-down', 200, 12);
  const admitted = t.byStatus[200] ?? 0;
  process.stdout.write(`# workers=2, redis down: admitted ${admitted}/100\n`);
  assert.ok(within(admitted, 100, 0.05), `admitted ${admitted}`);
  assert.match(gw.output(), /redis unreachable/);
});
