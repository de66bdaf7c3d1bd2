// Rate limits at the endpoint, service, backend and tier layers, end to end: a real gateway
// process, a real backend, real sockets. Each test proves what is refused, how (status,
// Retry-After, RateLimit fields) and that a refused request never reaches the backend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

const hour = '1h';

before(async () => {
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    endpoints: [
      {
        endpoint: '/by-header',
        backend: [{ url_pattern: '/by-header' }],
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 3, client_capacity: 3, every: hour, strategy: 'header', key: 'X-Client' } },
      },
      {
        endpoint: '/by-ip',
        backend: [{ url_pattern: '/by-ip' }],
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 2, client_capacity: 2, every: hour, strategy: 'ip', key: 'X-Forwarded-For' } },
      },
      {
        endpoint: '/by-param/{tenant}',
        backend: [{ url_pattern: '/by-param/{tenant}' }],
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 2, client_capacity: 2, every: hour, strategy: 'param', key: 'tenant' } },
      },
      {
        endpoint: '/shared',
        backend: [{ url_pattern: '/shared' }],
        extra_config: { 'qos/ratelimit/router': { max_rate: 3, capacity: 3, every: '1m' } },
      },
      {
        endpoint: '/both',
        backend: [{ url_pattern: '/both' }],
        extra_config: {
          'qos/ratelimit/router': { max_rate: 4, capacity: 4, client_max_rate: 3, client_capacity: 3, every: hour, strategy: 'header', key: 'X-Client' },
        },
      },
      {
        endpoint: '/to-slow-backend',
        backend: [{ url_pattern: '/proxy-limited', extra_config: { 'qos/ratelimit/proxy': { max_rate: 2, capacity: 2, every: hour } } }],
      },
      {
        endpoint: '/two-backends',
        backend: [
          { url_pattern: '/free', group: 'free' },
          { url_pattern: '/limited', group: 'limited', extra_config: { 'qos/ratelimit/proxy': { max_rate: 1, capacity: 1, every: hour } } },
        ],
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

function calls(path: string): number {
  return be.seen.filter((s) => s.url.split('?')[0] === path).length;
}

test('client limit by header: 429 with Retry-After and RateLimit fields, the backend is not called, other clients are unaffected', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await http(gw.port, 'GET', '/by-header', { 'x-client': 'alice' })).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  assert.equal(calls('/by-header'), 3);
  const r = await http(gw.port, 'GET', '/by-header', { 'x-client': 'alice' });
  assert.equal(r.status, 429);
  // 3 per hour: the next token comes in 20 minutes.
  assert.equal(r.headers['retry-after'], '1200');
  assert.equal(r.headers['ratelimit-policy'], '"client";q=3;w=3600');
  assert.equal(r.headers['ratelimit'], '"client";r=0;t=1200');
  assert.equal(r.body, '');
  assert.equal((await http(gw.port, 'GET', '/by-header', { 'x-client': 'bob' })).status, 200);
  assert.equal(calls('/by-header'), 4);
});

test('client limit by header: a request without the header is refused (429) and not forwarded', async () => {
  const n = calls('/by-header');
  const r = await http(gw.port, 'GET', '/by-header');
  assert.equal(r.status, 429);
  assert.equal(calls('/by-header'), n);
});

test('client limit by ip: X-Forwarded-For is not believed from an untrusted peer, so a client cannot pick a fresh bucket', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await http(gw.port, 'GET', '/by-ip', { 'x-forwarded-for': `10.0.0.${i}` })).status);
  assert.deepEqual(statuses, [200, 200, 429, 429]);
  assert.match(gw.output(), /the header is ignored because router.trusted_proxies is empty/);
});

test('client limit by path parameter: each tenant has its own bucket', async () => {
  const a = [];
  for (let i = 0; i < 3; i++) a.push((await http(gw.port, 'GET', '/by-param/acme')).status);
  assert.deepEqual(a, [200, 200, 429]);
  assert.equal((await http(gw.port, 'GET', '/by-param/globex')).status, 200);
});

test('endpoint-wide max_rate: 429 (issue #5; KrakenD sends 503) with Retry-After once the shared bucket is empty', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await http(gw.port, 'GET', '/shared', { 'x-client': String(i) })).status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  const r = await http(gw.port, 'GET', '/shared');
  assert.equal(r.headers['retry-after'], '20');
  assert.equal(r.headers['ratelimit-policy'], '"endpoint";q=3;w=60');
  assert.equal(calls('/shared'), 3);
});

test('client and shared limits together: the client bucket is checked first and a client refusal costs no shared token', async () => {
  const seq: number[] = [];
  for (let i = 0; i < 5; i++) seq.push((await http(gw.port, 'GET', '/both', { 'x-client': 'carol' })).status);
  assert.deepEqual(seq, [200, 200, 200, 429, 429]);
  // 1 shared token left (4 - 3): dave gets it, erin hits the shared limit.
  assert.equal((await http(gw.port, 'GET', '/both', { 'x-client': 'dave' })).status, 200);
  assert.equal((await http(gw.port, 'GET', '/both', { 'x-client': 'erin' })).status, 429);
});

test('proxy (backend) limit: the gateway calls the backend at most max_rate times; refusals are 503', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await http(gw.port, 'GET', '/to-slow-backend', { 'x-client': String(i) })).status);
  assert.deepEqual(statuses, [200, 200, 503, 503]);
  assert.equal(calls('/proxy-limited'), 2);
});

test('proxy limit on one of two backends: a partial answer from the other one', async () => {
  const first = await http(gw.port, 'GET', '/two-backends');
  assert.equal(first.status, 200);
  assert.deepEqual(Object.keys(JSON.parse(first.body)).sort(), ['free', 'limited']);
  const second = await http(gw.port, 'GET', '/two-backends');
  assert.equal(second.status, 200);
  assert.deepEqual(Object.keys(JSON.parse(second.body)), ['free']);
  assert.equal(second.headers['x-rampart-completed'], 'false');
  assert.equal(calls('/limited'), 1);
});
