// The `ip` strategy behind a trusted proxy: the client address comes from the forwarding header
// only because the peer (127.0.0.1 here) is declared in router.trusted_proxies; IPv6 clients
// share one bucket per /64.
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
    extra_config: { router: { trusted_proxies: ['127.0.0.1'] } },
    endpoints: [
      {
        endpoint: '/ip',
        backend: [{ url_pattern: '/ip' }],
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 2, client_capacity: 2, every: '1h', strategy: 'ip' } },
      },
      {
        endpoint: '/ip-key',
        backend: [{ url_pattern: '/ip-key' }],
        extra_config: { 'qos/ratelimit/router': { client_max_rate: 1, client_capacity: 1, every: '1h', strategy: 'ip', key: 'X-Client-Ip' } },
      },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

const seq = async (path: string, headers: Record<string, string>, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await http(gw.port, 'GET', path, headers)).status);
  return out;
};

test('ip strategy: clients behind a trusted proxy are told apart by X-Forwarded-For', async () => {
  assert.deepEqual(await seq('/ip', { 'x-forwarded-for': '198.51.100.7' }, 3), [200, 200, 429]);
  assert.deepEqual(await seq('/ip', { 'x-forwarded-for': '198.51.100.8' }, 1), [200]);
});

test('ip strategy: IPv6 addresses of one /64 share a bucket; another /64 does not', async () => {
  assert.deepEqual(await seq('/ip', { 'x-forwarded-for': '2001:db8:aa:1::1' }, 1), [200]);
  assert.deepEqual(await seq('/ip', { 'x-forwarded-for': '2001:db8:aa:1:ffff::2' }, 2), [200, 429]);
  assert.deepEqual(await seq('/ip', { 'x-forwarded-for': '2001:db8:aa:2::1' }, 1), [200]);
});

test('ip strategy with key: the named header, read from the trusted proxy', async () => {
  assert.deepEqual(await seq('/ip-key', { 'x-client-ip': '203.0.113.1' }, 2), [200, 429]);
  assert.deepEqual(await seq('/ip-key', { 'x-client-ip': '203.0.113.2' }, 1), [200]);
});
