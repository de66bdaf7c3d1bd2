// qos/circuit-breaker end to end: a backend answering 500 stops receiving calls after
// max_errors consecutive failures, receives exactly one trial call after `timeout`, and the
// breaker closes again once a trial succeeds. State changes are logged (log_status_change).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;
let failing = true;
let slowMs = 0;

before(async () => {
  be = await startBackend((req, res) => {
    const answer = () => {
      const ok = req.url === '/slow' ? true : !failing;
      res.writeHead(ok ? 200 : 500, { 'content-type': 'application/json' });
      res.end(ok ? '{"ok":true}' : '{"error":"boom"}');
    };
    if (req.url === '/slow' && slowMs > 0) setTimeout(answer, slowMs);
    else answer();
  });
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/flaky',
        backend: [
          {
            url_pattern: '/flaky',
            extra_config: { 'qos/circuit-breaker': { interval: 60, timeout: 1, max_errors: 3, name: 'flaky', log_status_change: true } },
          },
        ],
      },
      {
        endpoint: '/slow',
        backend: [
          {
            url_pattern: '/slow',
            extra_config: {
              'qos/circuit-breaker': { interval: 60, timeout: 1, max_errors: 1, name: 'slow' },
              'qos/backend-timeout': { timeout: '200ms' },
            },
          },
        ],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

const calls = (path: string) => be.seen.filter((s) => s.url === path).length;

test('opens after max_errors failures, answers 503 without calling the backend, one trial after timeout, closes on success', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await http(gw.port, 'GET', '/flaky')).status, 500);
  assert.equal(calls('/flaky'), 3);
  // Open: refused at once, the backend is not contacted.
  for (let i = 0; i < 5; i++) assert.equal((await http(gw.port, 'GET', '/flaky')).status, 503);
  assert.equal(calls('/flaky'), 3);

  // After the timeout one trial goes through; it fails, so the breaker opens again.
  await sleep(1300);
  assert.equal((await http(gw.port, 'GET', '/flaky')).status, 500);
  assert.equal(calls('/flaky'), 4);
  assert.equal((await http(gw.port, 'GET', '/flaky')).status, 503);
  assert.equal(calls('/flaky'), 4);

  // The backend recovers; the next trial succeeds and closes the breaker.
  failing = false;
  await sleep(1300);
  assert.equal((await http(gw.port, 'GET', '/flaky')).status, 200);
  assert.equal(calls('/flaky'), 5);
  for (let i = 0; i < 3; i++) assert.equal((await http(gw.port, 'GET', '/flaky')).status, 200);
  assert.equal(calls('/flaky'), 8);

  // Logs are written asynchronously: wait (bounded) for the last transition to show up.
  for (let i = 0; i < 40 && !/'half-open' to 'closed'/.test(gw.output()); i++) await sleep(50);
  const out = gw.output();
  assert.match(out, /\[CB\] Circuit breaker named 'flaky' went from 'closed' to 'open'/);
  assert.match(out, /\[CB\] Circuit breaker named 'flaky' went from 'open' to 'half-open'/);
  assert.match(out, /\[CB\] Circuit breaker named 'flaky' went from 'half-open' to 'open'/);
  assert.match(out, /\[CB\] Circuit breaker named 'flaky' went from 'half-open' to 'closed'/);
  // Without log_status_change nothing is logged for the other breaker.
  assert.doesNotMatch(out, /named 'slow'/);
});

test('half-open lets exactly one trial through; concurrent calls are refused; backend timeouts (504) count as failures', async () => {
  slowMs = 600;
  // A call slower than the 200 ms backend timeout: 504, and it opens the breaker (max_errors 1).
  assert.equal((await http(gw.port, 'GET', '/slow')).status, 504);
  assert.equal((await http(gw.port, 'GET', '/slow')).status, 503);
  const before = calls('/slow');
  await sleep(1300);
  slowMs = 100;
  const answers = await Promise.all(Array.from({ length: 5 }, () => http(gw.port, 'GET', '/slow')));
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(statuses, [200, 503, 503, 503, 503]);
  // The seen list is filled when the backend receives the request, before it answers.
  await sleep(200);
  assert.equal(calls('/slow') - before, 1);
  assert.equal((await http(gw.port, 'GET', '/slow')).status, 200);
});
