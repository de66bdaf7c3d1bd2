// A flood of distinct client keys cannot exhaust the gateway's memory: per-client buckets are
// bounded by max_tracked_clients (oldest evicted first). Reduced count here (the full 1 000 000
// key run is `node --import tsx test/traffic/flood.ts`, figures in the issue report).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { flood } from './flood.js';

const KEYS = 120_000;
const TRACKED = 20_000;
let gw: RunningGateway;

before(async () => {
  gw = await startGateway({
    version: 3,
    host: ['http://127.0.0.1:9'],
    extra_config: { router: { disable_access_log: true } },
    endpoints: [
      {
        endpoint: '/flood',
        backend: [{ url_pattern: '/x' }],
        // Every new key passes its client bucket (and is tracked, in debt for an hour), then the
        // shared bucket (1 per hour) refuses it with 429: the backend is never flooded.
        extra_config: {
          'qos/ratelimit/router': {
            client_max_rate: 1,
            client_capacity: 1,
            max_rate: 1,
            capacity: 1,
            every: '1h',
            strategy: 'header',
            key: 'X-Client',
            max_tracked_clients: TRACKED,
          },
        },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
});

test(`${KEYS} distinct client keys: memory stays bounded, the oldest clients are forgotten`, async () => {
  const rssKiB = () => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${gw.proc.pid}/status`, 'utf8'))![1]);
  const baseline = Math.round(rssKiB() / 1024);
  const r = await flood({ port: gw.port, pid: gw.proc.pid!, keys: KEYS, maxSeconds: 120 });
  process.stdout.write(
    `# ${r.keys} keys in ${r.seconds.toFixed(1)} s (${Math.round(r.keys / r.seconds)} req/s): baseline RSS ${baseline} MiB, peak ${r.peakRssMiB} MiB, samples ${r.rssMiB.join(' ')}\n`,
  );
  assert.equal(r.keys, KEYS, 'the flood did not finish in time');
  assert.equal(r.errors, 0);
  assert.equal((r.byStatus[429] ?? 0) + (r.byStatus[500] ?? 0), KEYS);
  // A key from the start was evicted: its client bucket is fresh again, so the shared limit is
  // what refuses it (429). The last key is still tracked: its own bucket refuses it (429).
  assert.equal((await http(gw.port, 'GET', '/flood', { 'x-client': 'client-0' })).status, 429);
  assert.equal((await http(gw.port, 'GET', '/flood', { 'x-client': `client-${KEYS - 1}` })).status, 429);
  assert.ok(r.peakRssMiB < baseline + 100, `peak RSS ${r.peakRssMiB} MiB from a ${baseline} MiB baseline`);
  for (let i = 0; i < 40 && !/tracking its maximum number of clients/.test(gw.output()); i++) await new Promise((res) => setTimeout(res, 50));
  assert.match(gw.output(), /tracking its maximum number of clients/);
});
