// One node, `rampart run --workers 2`: a circuit breaker holds for the node, not per worker
// (issue #14). The cluster primary holds each breaker; workers mirror it. With per-worker
// breakers, max_errors 2 let the backend take 4 failures on 2 cores (16 on 16).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { servingPids as pidsFromLog } from '../helpers/cluster-log.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;
let healthy = false;
let flip = 0;

const hits = (path: string) => be.seen.filter((s) => s.url === path).length;

before(async () => {
  be = await startBackend((req, res) => {
    let ok = healthy;
    if (req.url === '/flaky') ok = flip++ % 2 === 1;
    res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok }));
  });
  const breaker = (name: string) => ({ 'qos/circuit-breaker': { interval: 60, timeout: 1, max_errors: 2, name, log_status_change: true } });
  gw = await startGateway(
    {
      version: 3,
      host: [be.origin],
      endpoints: [
        { endpoint: '/fail', backend: [{ url_pattern: '/fail', extra_config: breaker('cb-fail') }] },
        { endpoint: '/flaky', backend: [{ url_pattern: '/flaky', extra_config: breaker('cb-flaky') }] },
      ],
    },
    { workers: 2 },
  );
  // startGateway returns at the first worker's "listening" line: wait for both.
  for (let i = 0; i < 200 && !gw.output().includes('rampart listening (cluster)'); i++) await sleep(25);
  assert.ok(gw.output().includes('rampart listening (cluster)'), 'both workers listening');
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

const servingPids = (path: string, status: number) => pidsFromLog(gw.output(), path, status);

async function sequential(path: string, n: number): Promise<number[]> {
  const out: number[] = [];
  // A new connection each time: the cluster hands connections to the workers in turn.
  for (let i = 0; i < n; i++) out.push((await http(gw.port, 'GET', path)).status);
  return out;
}

test('max_errors 2 across 2 workers: the backend takes 2 failures, not 4, then every worker refuses', async () => {
  const statuses = await sequential('/fail', 12);
  assert.equal(hits('/fail'), 2, `backend hits: ${hits('/fail')} (statuses ${statuses.join(',')})`);
  assert.deepEqual(statuses.slice(0, 2), [500, 500]);
  assert.ok(
    statuses.slice(2).every((s) => s === 503),
    statuses.join(','),
  );
  await sleep(300);
  // Both workers refused (so both knew the node's state), and both served.
  assert.equal(servingPids('/fail', 503).size, 2, 'only one worker refused: the test proves nothing');
  // One log line for the node's state change, not one per worker.
  const opened = gw
    .output()
    .split('\n')
    .filter((l) => l.includes("Circuit breaker named 'cb-fail' went from 'closed' to 'open'"));
  assert.equal(opened.length, 1, opened.join('\n'));
});

test('after the timeout, one trial call for the whole node; concurrent calls on every worker are refused', async () => {
  await sleep(1100);
  const before = hits('/fail');
  const statuses = await Promise.all(Array.from({ length: 16 }, () => http(gw.port, 'GET', '/fail').then((r) => r.status)));
  assert.equal(hits('/fail') - before, 1, `trial calls: ${hits('/fail') - before} (${statuses.join(',')})`);
  assert.equal(statuses.filter((s) => s === 500).length, 1);
  assert.equal(statuses.filter((s) => s === 503).length, 15);
});

test('a successful trial closes the breaker on every worker', async () => {
  healthy = true;
  await sleep(1100);
  const first = await sequential('/fail', 1);
  assert.deepEqual(first, [200]);
  await sleep(50);
  const statuses = await sequential('/fail', 8);
  assert.ok(
    statuses.every((s) => s === 200),
    statuses.join(','),
  );
  await sleep(300);
  assert.equal(servingPids('/fail', 200).size, 2);
});

test('a success on one worker resets the failures counted on the other: alternating answers never open it', async () => {
  const statuses = await sequential('/flaky', 12);
  assert.equal(hits('/flaky'), 12, statuses.join(','));
  assert.ok(!statuses.includes(503), statuses.join(','));
  await sleep(300);
  assert.equal(servingPids('/flaky', 500).size + servingPids('/flaky', 200).size >= 2, true);
});
