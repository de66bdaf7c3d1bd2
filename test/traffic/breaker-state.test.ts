// The circuit breaker component with a stub backend (no sockets needed): the state exported for
// metrics, the counting window (`interval`), and which outcomes count as failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildBreaker } from '../../src/components/qos/circuit-breaker/build.js';
import { circuitBreakerStates } from '../../src/components/qos/circuit-breaker/states.js';
import type { BuildEnv } from '../../src/components/types.js';
import { GatewayError } from '../../src/core/gateway-error.js';
import { createLogger } from '../../src/observability/logger.js';
import { dataResult, errorResult, failureOf, type BackendHandler, type BackendResult, type CallInput } from '../../src/core/backend-result.js';

function env(path: string): BuildEnv {
  return {
    scope: 'backend',
    pointer: '/endpoints/0/backend/0/extra_config/qos~1circuit-breaker',
    endpoint: { method: 'GET', path },
    backend: { pointer: '/endpoints/0/backend/0' },
    log: createLogger('silent'),
  } as unknown as BuildEnv;
}

const ok: BackendResult = dataResult({ ok: true }, true);
const bad: BackendResult = errorResult(new GatewayError('backend.failed', 'invalid status code 500'));

function input(signal = new AbortController().signal): CallInput {
  return { ctx: {} as CallInput['ctx'], params: {}, query: '', headers: [], body: null, signal };
}

test('the breaker state is exported for metrics: gauge, opened and transitions counters', async () => {
  let result: BackendResult = bad;
  let calls = 0;
  const next: BackendHandler = async () => (calls++, result);
  const stage = buildBreaker({ interval: 0, timeout: 1, max_errors: 2, name: 'm' }, env('/metrics'), 'qos/circuit-breaker');
  const h = stage.around!(next);
  const mine = () => circuitBreakerStates().find((s) => s.id === 'GET /metrics backend 0 qos/circuit-breaker')!;
  assert.deepEqual({ ...mine(), id: undefined }, { id: undefined, name: 'm', state: 'closed', gauge: 0, opened: 0, transitions: 0 });
  await h(input());
  await h(input());
  assert.equal(mine().state, 'open');
  assert.equal(mine().gauge, 2);
  assert.equal(failureOf(await h(input()))?.status, 503);
  assert.equal(calls, 2);
  await sleep(1100);
  result = ok;
  await h(input());
  assert.deepEqual({ state: mine().state, opened: mine().opened, transitions: mine().transitions }, { state: 'closed', opened: 1, transitions: 3 });
  await stage.close!();
  assert.equal(mine(), undefined, 'closing the gateway unregisters the breaker');
});

test('interval: consecutive failures are counted within one window only', async () => {
  let result: BackendResult = bad;
  const stage = buildBreaker({ interval: 1, timeout: 60, max_errors: 3 }, env('/window'), 'qos/circuit-breaker');
  const h = stage.around!(async () => result);
  await h(input());
  await h(input());
  await sleep(1100);
  // A new window: the count starts again, so two more failures do not open it.
  await h(input());
  await h(input());
  assert.equal(circuitBreakerStates().find((s) => s.id === 'GET /window backend 0 qos/circuit-breaker')!.state, 'closed');
  await h(input());
  assert.equal(circuitBreakerStates().find((s) => s.id === 'GET /window backend 0 qos/circuit-breaker')!.state, 'open');
  result = ok;
  await stage.close!();
});

test('a success resets the count; calls cancelled by the client are not failures; the gateway deadline is', async () => {
  const stage = buildBreaker({ interval: 0, timeout: 60, max_errors: 2 }, env('/cancel'), 'qos/circuit-breaker');
  let result: BackendResult = bad;
  const h = stage.around!(async () => result);
  const state = () => circuitBreakerStates().find((s) => s.id === 'GET /cancel backend 0 qos/circuit-breaker')!.state;
  await h(input());
  result = ok;
  await h(input());
  result = bad;
  await h(input());
  assert.equal(state(), 'closed', 'failure, success, failure: never two in a row');
  const gone = new AbortController();
  gone.abort();
  await h(input(gone.signal));
  assert.equal(state(), 'closed', 'a client that went away says nothing about the backend');
  const deadline = new AbortController();
  deadline.abort(new GatewayError('backend.deadline', 'context deadline exceeded'));
  await h(input(deadline.signal));
  assert.equal(state(), 'open');
  await stage.close!();
});
