// security/http: host restriction (exact or regex; forwarding headers only from trusted proxies),
// TLS redirect, and security headers with KrakenD's exact values; HSTS only over TLS unless
// forced. A refused host is a 400 and never reaches the backend. The gateway's headers win over a
// backend's on no-op endpoints, and repeated backend headers (Set-Cookie) survive.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { check } from './helpers/check.js';
import { httpFrom } from './helpers/http-from.js';
import { Pki } from './helpers/pki.js';
import { httpsGet } from './helpers/tls-client.js';

const TRUSTED = '127.0.0.2';
const STRANGER = '127.0.0.3';
let be: TestBackend;
let gw: RunningGateway;
let gwRegex: RunningGateway;

const endpoints = () => [
  { endpoint: '/x', backend: [{ host: [be.origin], url_pattern: '/x' }] },
  { endpoint: '/raw', output_encoding: 'no-op', backend: [{ host: [be.origin], url_pattern: '/raw' }] },
];

before(async () => {
  be = await startBackend((req, res) => {
    if (req.url === '/raw') {
      res.writeHead(
        200,
        [
          ['content-type', 'text/plain'],
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
          ['x-frame-options', 'ALLOWALL'],
          ['vary', 'Accept-Encoding'],
        ].flat(),
      );
      return void res.end('raw');
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  gw = await startGateway({
    version: 3,
    extra_config: {
      router: { trusted_proxies: [TRUSTED] },
      'security/http': {
        allowed_hosts: ['api.example.test', 'api.example.test:8443'],
        host_proxy_headers: ['X-Forwarded-Host'],
        sts_seconds: 31536000,
        sts_include_subdomains: true,
        frame_deny: true,
        content_type_nosniff: true,
        browser_xss_filter: true,
        content_security_policy: "default-src 'self'",
        referrer_policy: 'no-referrer',
      },
    },
    endpoints: endpoints(),
  });
  gwRegex = await startGateway({
    version: 3,
    extra_config: {
      router: { trusted_proxies: [TRUSTED] },
      'security/http': {
        allowed_hosts: ['(www\\.)?example\\.test(:[0-9]+)?'],
        allowed_hosts_are_regex: true,
        frame_deny: true,
        custom_frame_options_value: 'SAMEORIGIN',
        sts_seconds: 60,
        force_sts_header: true,
        ssl_redirect: true,
        ssl_host: 'secure.example.test',
        ssl_proxy_headers: { 'X-Forwarded-Proto': 'https' },
      },
    },
    endpoints: endpoints(),
  });
});

after(async () => {
  await Promise.all([gw?.stop(), gwRegex?.stop()]);
  await be?.close();
});

test('security headers carry the exact KrakenD values; no HSTS over plain HTTP', async () => {
  const r = await httpFrom(STRANGER, gw.port, 'GET', '/x', { Host: 'api.example.test' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['x-xss-protection'], '1; mode=block');
  assert.equal(r.headers['content-security-policy'], "default-src 'self'");
  assert.equal(r.headers['referrer-policy'], 'no-referrer');
  assert.equal(r.headers['strict-transport-security'], undefined);
  // 404s get them too (the check runs before routing).
  assert.equal((await httpFrom(STRANGER, gw.port, 'GET', '/nope', { Host: 'api.example.test' })).headers['x-frame-options'], 'DENY');
});

test('a host not in allowed_hosts gets 400 Bad Host and never reaches the backend', async () => {
  const n = be.seen.length;
  for (const host of ['evil.test', 'api.example.test.evil.test', 'api.example.test:9999', '127.0.0.1']) {
    const r = await httpFrom(STRANGER, gw.port, 'GET', '/x', { Host: host });
    assert.equal(r.status, 400, host);
    assert.equal(r.body, 'Bad Host');
  }
  // Case-insensitive exact match, port included when sent.
  assert.equal((await httpFrom(STRANGER, gw.port, 'GET', '/x', { Host: 'API.Example.Test:8443' })).status, 200);
  assert.equal(be.seen.length, n + 1);
  // The health check stays exempt, as in KrakenD.
  assert.equal((await httpFrom(STRANGER, gw.port, 'GET', '/__health', { Host: 'evil.test' })).status, 200);
});

test('host_proxy_headers count only from a trusted proxy', async () => {
  const n = be.seen.length;
  // A stranger cannot smuggle an allowed host through X-Forwarded-Host...
  assert.equal((await httpFrom(STRANGER, gw.port, 'GET', '/x', { Host: 'evil.test', 'X-Forwarded-Host': 'api.example.test' })).status, 400);
  // ...nor get refused by one (its Host is what counts).
  assert.equal((await httpFrom(STRANGER, gw.port, 'GET', '/x', { Host: 'api.example.test', 'X-Forwarded-Host': 'evil.test' })).status, 200);
  // From the trusted proxy the forwarded host is the one checked.
  assert.equal((await httpFrom(TRUSTED, gw.port, 'GET', '/x', { Host: 'internal:8080', 'X-Forwarded-Host': 'api.example.test' })).status, 200);
  assert.equal((await httpFrom(TRUSTED, gw.port, 'GET', '/x', { Host: 'api.example.test', 'X-Forwarded-Host': 'evil.test' })).status, 400);
  assert.equal(be.seen.length, n + 2);
});

test('regex hosts, custom frame options over frame_deny, forced HSTS, TLS redirect', async () => {
  const ok = await httpFrom(STRANGER, gwRegex.port, 'GET', '/x?q=1', { Host: 'WWW.example.test:80' });
  assert.equal(ok.status, 301);
  assert.equal(ok.headers.location, 'https://secure.example.test/x?q=1');
  const n = be.seen.length;
  assert.equal((await httpFrom(STRANGER, gwRegex.port, 'GET', '/x', { Host: 'wwwXexample.test' })).status, 400);
  assert.equal((await httpFrom(STRANGER, gwRegex.port, 'GET', '/x', { Host: 'example.test.evil' })).status, 400);
  // X-Forwarded-Proto: https from a stranger does not count as TLS: still redirected.
  assert.equal((await httpFrom(STRANGER, gwRegex.port, 'POST', '/x', { Host: 'example.test', 'X-Forwarded-Proto': 'https' })).status, 301);
  assert.equal(be.seen.length, n);
  // From the trusted TLS terminator it does: served, with the headers.
  const r = await httpFrom(TRUSTED, gwRegex.port, 'GET', '/x', { Host: 'example.test', 'X-Forwarded-Proto': 'https' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-frame-options'], 'SAMEORIGIN');
  assert.equal(r.headers['strict-transport-security'], 'max-age=60');
});

test('HSTS over TLS: max-age, includeSubDomains, preload', async () => {
  const pki = new Pki();
  const ca = pki.ca('hsts');
  const leaf = pki.issue(ca, 'localhost', { usage: 'server', ips: ['127.0.0.1'] });
  const g = await startGateway({
    version: 3,
    tls: { keys: [{ public_key: leaf.certFile, private_key: leaf.keyFile }] },
    extra_config: { 'security/http': { sts_seconds: 63072000, sts_include_subdomains: true, sts_preload: true, ssl_redirect: true } },
    endpoints: endpoints(),
  });
  try {
    const r = await httpsGet(g.port, '/x', { ca: ca.cert });
    assert.equal(r.status, 200, 'no redirect: the request came over TLS');
    assert.equal(r.headers['strict-transport-security'], 'max-age=63072000; includeSubDomains; preload');
  } finally {
    await g.stop();
  }
});

test('no-op endpoints: the gateway policy wins over backend headers; repeated Set-Cookie survive', async () => {
  const r = await httpFrom(STRANGER, gw.port, 'GET', '/raw', { Host: 'api.example.test' });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'raw');
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.deepEqual(r.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(r.rawHeaders.filter((h) => h.toLowerCase() === 'x-frame-options').length, 1);
});

test('an invalid allowed_hosts regex or a field KrakenD lacks stops startup', () => {
  const base = { version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }] };
  const bad = check({ ...base, extra_config: { 'security/http': { allowed_hosts: ['(unclosed'], allowed_hosts_are_regex: true } } });
  assert.equal(bad.code, 1);
  assert.match(bad.out, /\/extra_config\/security~1http\/allowed_hosts\/0: invalid regular expression/);
  const port = check({ ...base, extra_config: { 'security/http': { ssl_port: 443 } } });
  assert.equal(port.code, 1);
  assert.match(port.out, /unknown field "ssl_port"/);
  const hpkp = check({ ...base, extra_config: { 'security/http': { hpkp_public_key: 'pin-sha256="x"' } } });
  assert.equal(hpkp.code, 0, hpkp.out);
});
