// IP filtering (EE's ip-filter plugin settings under plugin/http-server and, per endpoint, under
// plugin/req-resp-modifier): CIDR allow and deny lists over IPv4 and IPv6. The client address
// comes from a forwarding header only when the direct peer is a declared trusted proxy, so a
// spoofed X-Forwarded-For from anyone else changes nothing. A blocked client gets 403, the
// backend is never called, and everyone else keeps being served.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { check } from './helpers/check.js';
import { httpFrom } from './helpers/http-from.js';

const PROXY = '127.0.0.2';
let be: TestBackend;
let allowGw: RunningGateway;
let denyGw: RunningGateway;

before(async () => {
  be = await startBackend();
  allowGw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      router: { trusted_proxies: [PROXY] },
      'plugin/http-server': { name: ['ip-filter'], 'ip-filter': { CIDR: [PROXY, '127.0.0.5/32', '2001:db8::/32', '::1'], allow: true } },
    },
    endpoints: [{ endpoint: '/x', backend: [{ url_pattern: '/x' }] }],
  });
  denyGw = await startGateway({
    version: 3,
    host: [be.origin],
    extra_config: {
      // The filter's own trusted proxy and header (EE fields): only 127.0.0.6 may name the client.
      'plugin/http-server': {
        name: ['ip-filter'],
        'ip-filter': { CIDR: ['198.51.100.0/24'], allow: false, trusted_proxies: ['127.0.0.6'], client_ip_headers: ['X-Real-Client'] },
      },
    },
    endpoints: [
      {
        endpoint: '/blocked',
        extra_config: { 'plugin/req-resp-modifier': { name: ['ip-filter'], 'ip-filter': { CIDR: ['127.0.0.3/32', '::1/128'], allow: false } } },
        backend: [{ url_pattern: '/blocked' }],
      },
      { endpoint: '/open', backend: [{ url_pattern: '/open' }] },
    ],
  });
});

after(async () => {
  await Promise.all([allowGw?.stop(), denyGw?.stop()]);
  await be?.close();
});

async function expect(gw: RunningGateway, from: string, path: string, headers: Record<string, string>, status: number): Promise<void> {
  const n = be.seen.length;
  const r = await httpFrom(from, gw.port, 'GET', path, headers);
  assert.equal(r.status, status, `${from} ${path} ${JSON.stringify(headers)}`);
  assert.equal(be.seen.length, n + (status === 200 ? 1 : 0), 'backend calls');
  if (status === 403) assert.equal(r.body, '');
}

test('allow list: listed IPv4/IPv6 clients pass, others get 403 without reaching the backend', async () => {
  await expect(allowGw, '127.0.0.5', '/x', {}, 200);
  await expect(allowGw, '::1', '/x', {}, 200);
  await expect(allowGw, '127.0.0.3', '/x', {}, 403);
  await expect(allowGw, '127.0.0.3', '/__health', {}, 403);
  await expect(allowGw, '127.0.0.5', '/x', {}, 200);
});

test('a spoofed X-Forwarded-For from an untrusted peer never bypasses the filter', async () => {
  for (const xff of ['127.0.0.5', '2001:db8::1', `127.0.0.5, ${PROXY}`, PROXY]) {
    await expect(allowGw, '127.0.0.3', '/x', { 'X-Forwarded-For': xff }, 403);
    await expect(allowGw, '127.0.0.3', '/x', { 'X-Real-IP': xff }, 403);
  }
});

test('from the trusted proxy the forwarded client address is the one filtered', async () => {
  await expect(allowGw, PROXY, '/x', { 'X-Forwarded-For': '203.0.113.9' }, 403);
  await expect(allowGw, PROXY, '/x', { 'X-Forwarded-For': '2001:db8::7' }, 200);
  // Right to left: an address the client prepended does not matter, the proxy's view does.
  await expect(allowGw, PROXY, '/x', { 'X-Forwarded-For': '127.0.0.5, 203.0.113.9' }, 403);
  await expect(allowGw, PROXY, '/x', { 'X-Forwarded-For': '203.0.113.9, 127.0.0.5' }, 200);
  await expect(allowGw, PROXY, '/x', {}, 200);
});

test("deny list per endpoint (plugin/req-resp-modifier) and with the filter's own trusted proxy", async () => {
  await expect(denyGw, '127.0.0.3', '/blocked', {}, 403);
  await expect(denyGw, '::1', '/blocked', {}, 403);
  await expect(denyGw, '127.0.0.3', '/blocked', { 'X-Forwarded-For': '127.0.0.9' }, 403);
  await expect(denyGw, '127.0.0.3', '/open', {}, 200);
  await expect(denyGw, '127.0.0.4', '/blocked', {}, 200);
  await expect(denyGw, '127.0.0.6', '/open', { 'X-Real-Client': '198.51.100.7' }, 403);
  await expect(denyGw, '127.0.0.3', '/open', { 'X-Real-Client': '198.51.100.7' }, 200);
  await expect(denyGw, '127.0.0.6', '/open', { 'X-Real-Client': '203.0.113.1' }, 200);
});

test('bad ip-filter configs stop startup', () => {
  const base = { version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }] };
  const cases: [object, RegExp][] = [
    [{ name: ['ip-filter'], 'ip-filter': { CIDR: ['10.0.0.0/33'], allow: true } }, /ip-filter\/CIDR: "10.0.0.0\/33" is not an IP address or CIDR/],
    [{ name: ['ip-filter'], 'ip-filter': { CIDR: ['10.0.0.0/8'] } }, /must have required property 'allow'/],
    [
      { name: ['ip-filter', 'virtualhost'], 'ip-filter': { CIDR: ['10.0.0.0/8'], allow: true } },
      /plugin "virtualhost" is not available in Rampart: it is a Go plugin/,
    ],
    [
      { name: ['geoip'], 'ip-filter': { CIDR: ['10.0.0.0/8'], allow: true }, geoip: { citydb_path: '/x' } },
      /"ip-filter" settings are declared but "ip-filter" is not listed/,
    ],
  ];
  for (const [plugin, re] of cases) {
    const r = check({ ...base, extra_config: { 'plugin/http-server': plugin } });
    assert.equal(r.code, 1, `${JSON.stringify(plugin)}\n${r.out}`);
    assert.match(r.out, re);
  }
});
