// `rampart run --workers 2` with the rate-limit coordinator forced into two shard processes
// (RAMPART_LIMIT_SHARDS=2; by default a node up to 16 workers has one, inside the primary): the
// limits still hold node-wide, a shard killed with -9 is restarted while serving goes on (every
// request answered: 200, or 429 for keys of the dead shard, never a hang or an error), and the
// limits hold again after the restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { blast, within } from './load.js';

const R = 200;
const PER_CLIENT = 5;
const CLIENTS = 20;
let be: TestBackend;
let gw: RunningGateway;

const config = (origin: string) => ({
  version: 3,
  host: [origin],
  endpoints: [
    { endpoint: '/limited', backend: [{ url_pattern: '/limited' }], extra_config: { 'qos/ratelimit/router': { max_rate: R, capacity: R, every: '1h' } } },
    {
      endpoint: '/per-client',
      backend: [{ url_pattern: '/per-client' }],
      extra_config: { 'qos/ratelimit/router': { client_max_rate: PER_CLIENT, client_capacity: PER_CLIENT, every: '1h', strategy: 'header', key: 'X-Client' } },
    },
  ],
});

function logLines(): Record<string, unknown>[] {
  return gw
    .output()
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

async function waitForLog(msg: string, ms: number): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  for (;;) {
    const line = logLines().find((j) => j.msg === msg);
    if (line) return line;
    if (Date.now() > end) throw new Error(`no "${msg}" in the log:\n${gw.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Requests admitted per client: each client sends `n` requests, one at a time. */
async function admittedPerClient(prefix: string, n: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const r = await http(gw.port, 'GET', '/per-client', { 'x-client': `${prefix}${c}` });
        assert.ok(r.status === 200 || r.status === 429, `status ${r.status}`);
        if (r.status === 200) ok++;
      }
      return ok;
    }),
  );
}

before(async () => {
  be = await startBackend();
  gw = await startGateway(config(be.origin), { workers: 2, env: { RAMPART_LIMIT_SHARDS: '2' } });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('two shard processes: a global and a per-client limit hold node-wide across 2 workers', async () => {
  const started = await waitForLog('rate-limit shards listening', 5000);
  assert.equal(started.shards, 2);
  assert.equal((started.shard_pids as number[]).length, 2);
  const t = await blast([gw.port], '/limited', 2 * R + 100, 16);
  const admitted = t.byStatus[200] ?? 0;
  process.stdout.write(`# shards=2 workers=2 limit=${R}: admitted ${admitted}, refused ${t.byStatus[429] ?? 0}, errors ${t.errors}\n`);
  assert.equal(t.errors, 0);
  assert.ok(within(admitted, R, 0.05), `admitted ${admitted}`);
  assert.equal(admitted + (t.byStatus[429] ?? 0), 2 * R + 100);
  // Clients spread over both shards (20 keys); each admitted exactly its bucket.
  const perClient = await admittedPerClient('a', PER_CLIENT + 2);
  assert.deepEqual(perClient, Array(CLIENTS).fill(PER_CLIENT));
});

test('a shard killed with -9 is restarted; every request is answered meanwhile and the limits hold afterwards', async () => {
  const pids = (await waitForLog('rate-limit shards listening', 5000)).shard_pids as number[];
  // Traffic over fresh clients (keys on both shards) while one shard dies and comes back.
  const during = blast([gw.port], '/per-client', 400, 8, (i) => ({ 'x-client': `b${i % 200}` }));
  await new Promise((r) => setTimeout(r, 50));
  process.kill(pids[0], 'SIGKILL');
  const t = await during;
  process.stdout.write(`# during the kill: ${JSON.stringify(t.byStatus)}, errors ${t.errors}\n`);
  assert.equal(t.errors, 0, 'a request failed or hung');
  assert.equal((t.byStatus[200] ?? 0) + (t.byStatus[429] ?? 0), 400, JSON.stringify(t.byStatus));
  const restarted = await waitForLog('rate-limit shard restarted', 10_000);
  assert.equal(restarted.shard, 0);
  assert.notEqual(restarted.shard_pid, pids[0]);
  assert.throws(() => process.kill(pids[0], 0), 'the killed shard is gone');
  process.kill(restarted.shard_pid as number, 0); // and its successor runs
  assert.ok(logLines().some((j) => j.msg === 'rate-limit shard exited; starting a new one (its buckets start full)' && j.signal === 'SIGKILL'));
  // Workers reconnect (every 100 ms); then fresh clients on both shards get exactly their bucket.
  await new Promise((r) => setTimeout(r, 1000));
  const perClient = await admittedPerClient('c', PER_CLIENT + 2);
  assert.deepEqual(perClient, Array(CLIENTS).fill(PER_CLIENT));
  // Clients that used their bucket before the kill: those of the surviving shard stay refused;
  // those of the restarted shard start over (buckets reset: momentarily more permissive, by
  // design), but nobody gets more than one fresh bucket.
  const again = await admittedPerClient('a', PER_CLIENT + 2);
  assert.ok(
    again.every((n) => n <= PER_CLIENT),
    JSON.stringify(again),
  );
  assert.ok(
    again.some((n) => n === 0),
    `every client got a fresh bucket: ${JSON.stringify(again)}`,
  );
});

test('RAMPART_LIMIT_SHARDS out of range: the node does not start, and says why', async () => {
  await assert.rejects(
    startGateway(config(be.origin), { workers: 2, env: { RAMPART_LIMIT_SHARDS: '0' } }),
    /RAMPART_LIMIT_SHARDS must be a whole number from 1 to 64, not "0"/,
  );
});
