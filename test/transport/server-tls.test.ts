// Server TLS: TLS 1.3 only by default (a TLS 1.2 client is refused in the handshake), TLS 1.2 only
// when configured and then only with AEAD forward-secret suites, HTTP/2 through ALPN with the
// same forwarding rules, SNI certificate choice, plain HTTP never proxied, certificate reload on
// SIGHUP without dropping connections, and bad TLS configs refused with their JSON pointer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { rawExchange } from '../helpers/http.js';
import { check, waitForOutput } from './helpers/check.js';
import { Pki, type Ca, type Leaf } from './helpers/pki.js';
import { h2Connect, h2Request, httpsGet } from './helpers/tls-client.js';

let pki: Pki;
let ca: Ca;
let api: Leaf;
let other: Leaf;
let be: TestBackend;
let gw: RunningGateway;
let gw12: RunningGateway;

const cn = (pem?: string) => (pem ? /CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1] : undefined);

function config(tls: object) {
  return {
    version: 3,
    host: [be.origin],
    read_header_timeout: '1s',
    max_header_bytes: 8192,
    tls,
    endpoints: [
      { endpoint: '/echo', input_headers: ['X-Tenant', 'Cookie'], backend: [{ url_pattern: '/echo' }] },
      { endpoint: '/upload', method: 'POST', extra_config: { proxy: { max_payload: 16 } }, backend: [{ url_pattern: '/upload' }] },
    ],
  };
}

before(async () => {
  pki = new Pki();
  ca = pki.ca('gateway');
  api = pki.issue(ca, 'api.example.test', { usage: 'server', dns: ['api.example.test', 'localhost'], ips: ['127.0.0.1'] });
  other = pki.issue(ca, 'other.example.test', { usage: 'server', dns: ['other.example.test', '*.wild.example.test'] });
  be = await startBackend();
  const keys = [
    { public_key: api.certFile, private_key: api.keyFile },
    { public_key: other.certFile, private_key: other.keyFile },
  ];
  gw = await startGateway(config({ keys }));
  gw12 = await startGateway(config({ keys: keys.slice(0, 1), min_version: 'TLS12' }));
});

after(async () => {
  await gw?.stop();
  await gw12?.stop();
  await be?.close();
});

test('TLS 1.3 by default, over HTTP/1.1 and HTTP/2 (ALPN)', async () => {
  const r = await httpsGet(gw.port, '/echo', { ca: ca.cert });
  assert.equal(r.status, 200);
  assert.equal(r.protocol, 'TLSv1.3');
  const s = await h2Connect(gw.port, { ca: ca.cert });
  try {
    assert.equal(s.alpnProtocol, 'h2');
    const h = await h2Request(s, '/__health');
    assert.equal(h.status, 200);
  } finally {
    s.close();
  }
});

test('a TLS 1.2-only client is refused in the handshake by default; the backend is never called', async () => {
  const n = be.seen.length;
  await assert.rejects(httpsGet(gw.port, '/echo', { ca: ca.cert, maxVersion: 'TLSv1.2' }), /protocol version|alert|ECONNRESET|socket hang up/i);
  assert.equal(be.seen.length, n);
  // The gateway keeps serving everyone else.
  assert.equal((await httpsGet(gw.port, '/echo', { ca: ca.cert })).status, 200);
});

test('with min_version TLS12 a TLS 1.2 client is served, with an ECDHE AEAD suite only', async () => {
  const r = await httpsGet(gw12.port, '/echo', { ca: ca.cert, maxVersion: 'TLSv1.2' });
  assert.equal(r.status, 200);
  assert.equal(r.protocol, 'TLSv1.2');
  assert.match(r.cipher, /^ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  const n = be.seen.length;
  // A client offering only CBC (non-AEAD) suites finds nothing in common.
  await assert.rejects(httpsGet(gw12.port, '/echo', { ca: ca.cert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA' }));
  assert.equal(be.seen.length, n);
  assert.equal((await httpsGet(gw12.port, '/echo', { ca: ca.cert })).protocol, 'TLSv1.3');
});

test('plain HTTP sent to the TLS port is never proxied', async () => {
  const n = be.seen.length;
  const r = await rawExchange(gw.port, 'GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 3000);
  assert.doesNotMatch(r.text, /HTTP\/1\.[01] 200/);
  assert.equal(be.seen.length, n);
  assert.equal((await httpsGet(gw.port, '/echo', { ca: ca.cert })).status, 200);
});

test('HTTP/2 requests are forwarded like HTTP/1.1: no pseudo-headers, Host from :authority, one Cookie', async () => {
  const s = await h2Connect(gw.port, { ca: ca.cert });
  try {
    const n = be.seen.length;
    const r = await h2Request(s, '/echo?x=1', { 'x-tenant': 't1', 'x-undeclared': 'no', cookie: ['a=1', 'b=2'] as unknown as string });
    assert.equal(r.status, 200);
    assert.equal(r.headers.connection, undefined);
    const seen = be.seen[n];
    assert.equal(seen.headers['x-tenant'], 't1');
    assert.equal(seen.headers['x-undeclared'], undefined);
    assert.equal(seen.headers.cookie, 'a=1; b=2');
    assert.equal(seen.headers['x-forwarded-host'], `127.0.0.1:${gw.port}`);
    assert.ok(
      seen.rawHeaders.every((h, i) => i % 2 === 1 || !h.startsWith(':')),
      `pseudo-header upstream: ${seen.rawHeaders}`,
    );
    // Requests are multiplexed on the one connection.
    const many = await Promise.all(Array.from({ length: 5 }, () => h2Request(s, '/echo')));
    assert.deepEqual(
      many.map((m) => m.status),
      [200, 200, 200, 200, 200],
    );
  } finally {
    s.close();
  }
});

test('HTTP/2: gateway answers that close HTTP/1.1 connections (413, 404) are valid HTTP/2 answers', async () => {
  const s = await h2Connect(gw.port, { ca: ca.cert });
  try {
    const n = be.seen.length;
    const big = await h2Request(s, '/upload', { 'content-length': '100' }, 'POST', 'x'.repeat(100));
    assert.equal(big.status, 413);
    assert.equal(big.headers.connection, undefined);
    assert.equal((await h2Request(s, '/nope')).status, 404);
    assert.equal((await h2Request(s, '/upload', {}, 'POST', 'small')).status, 200);
    assert.equal(be.seen.length, n + 1);
  } finally {
    s.close();
  }
});

test('HTTP/1.1 over TLS keeps the listener limits: slow headers are cut, oversized headers get 431', async () => {
  const slow = await new Promise<{ closedAfterMs: number; text: string }>((resolve) => {
    const t0 = Date.now();
    let text = '';
    const sock = tlsConnect({ host: '127.0.0.1', port: gw.port, ca: ca.cert, ALPNProtocols: ['http/1.1'] }, () =>
      sock.write('GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
    );
    sock.on('data', (d) => (text += d));
    sock.on('error', () => undefined);
    sock.on('close', () => resolve({ closedAfterMs: Date.now() - t0, text }));
    setTimeout(() => sock.destroy(), 8000);
  });
  assert.ok(slow.closedAfterMs < 6000, `slow client held the socket ${slow.closedAfterMs} ms`);
  assert.match(slow.text, /^HTTP\/1\.1 408 /);
  const n = be.seen.length;
  const big = await httpsGet(gw.port, '/echo', { ca: ca.cert, headers: { 'X-Big': 'x'.repeat(20_000) } });
  assert.equal(big.status, 431);
  assert.equal(be.seen.length, n);
});

test('SNI picks the certificate: exact name, one-label wildcard, else the first pair', async () => {
  assert.equal(cn((await httpsGet(gw.port, '/__health', { ca: ca.cert, servername: 'other.example.test' })).peerCertPem), 'other.example.test');
  assert.equal(cn((await httpsGet(gw.port, '/__health', { ca: ca.cert, servername: 'x.wild.example.test' })).peerCertPem), 'other.example.test');
  assert.equal(cn((await httpsGet(gw.port, '/__health', { ca: ca.cert, servername: 'api.example.test' })).peerCertPem), 'api.example.test');
  assert.equal(cn((await httpsGet(gw.port, '/__health', { ca: ca.cert })).peerCertPem), 'api.example.test');
});

test('SIGHUP re-reads the certificate files; open connections keep working', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-rotate-'));
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  copyFileSync(api.certFile, certFile);
  copyFileSync(api.keyFile, keyFile);
  const g = await startGateway(config({ keys: [{ public_key: certFile, private_key: keyFile }] }));
  try {
    const s = await h2Connect(g.port, { ca: ca.cert });
    assert.equal((await h2Request(s, '/echo')).status, 200);
    const next = pki.issue(ca, 'rotated.example.test', { usage: 'server', ips: ['127.0.0.1'] });
    copyFileSync(next.certFile, certFile);
    copyFileSync(next.keyFile, keyFile);
    g.proc.kill('SIGHUP');
    await waitForOutput(g.output, /tls certificates reloaded/);
    // The connection opened before the reload is still served.
    assert.equal((await h2Request(s, '/echo')).status, 200);
    s.close();
    // New connections get the new certificate.
    assert.equal(cn((await httpsGet(g.port, '/__health', { ca: ca.cert })).peerCertPem), 'rotated.example.test');
    // A broken file on the next reload keeps the current certificate (and the gateway up).
    copyFileSync(api.keyFile, keyFile);
    g.proc.kill('SIGHUP');
    await waitForOutput(g.output, /tls reload failed/);
    assert.equal(cn((await httpsGet(g.port, '/__health', { ca: ca.cert })).peerCertPem), 'rotated.example.test');
  } finally {
    await g.stop();
  }
});

test('SIGHUP to the cluster primary reloads the certificates in every worker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-rotate-'));
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  copyFileSync(api.certFile, certFile);
  copyFileSync(api.keyFile, keyFile);
  const g = await startGateway(config({ keys: [{ public_key: certFile, private_key: keyFile }] }), { workers: 2 });
  try {
    await waitForOutput(g.output, /rampart listening \(cluster\)|"workers":2/);
    const next = pki.issue(ca, 'cluster.example.test', { usage: 'server', ips: ['127.0.0.1'] });
    copyFileSync(next.certFile, certFile);
    copyFileSync(next.keyFile, keyFile);
    g.proc.kill('SIGHUP');
    await waitForOutput(g.output, /tls certificates reloaded[\s\S]*tls certificates reloaded/);
    for (let i = 0; i < 6; i++) assert.equal(cn((await httpsGet(g.port, '/__health', { ca: ca.cert })).peerCertPem), 'cluster.example.test');
    assert.equal(g.proc.exitCode, null, 'the primary survives SIGHUP');
  } finally {
    await g.stop();
  }
});

test('bad TLS configs stop startup with their JSON pointer', () => {
  const base = { version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }] };
  const keys = [{ public_key: api.certFile, private_key: api.keyFile }];
  const cases: [object, RegExp][] = [
    [{ keys, min_version: 'TLS11' }, /\/tls\/min_version: "TLS11" is obsolete/],
    [{ keys, min_version: 'TLS1.2' }, /\/tls\/min_version: must be one of/],
    [{ keys, min_version: 'TLS12', cipher_suites: [47, 49199] }, /\/tls\/cipher_suites: cipher suite 47 is not an AEAD suite/],
    [{ keys, curve_preferences: [22] }, /\/tls\/curve_preferences: curve 22/],
    [{ keys: [{ public_key: api.certFile, private_key: other.keyFile }] }, /\/tls\/keys\/0: private key .* does not match/],
    [{ keys: [] }, /\/tls\/keys: at least one certificate\/key pair/],
    [{ keys, enable_mtls: true }, /\/tls\/ca_certs: enable_mtls needs at least one CA/],
    [{ keys, max_version: 'TLS12' }, /\/tls\/max_version: max_version is lower than min_version/],
    [{ keys, enable_mtls: true, ca_certs: ['/nonexistent/ca.pem'] }, /\/tls\/ca_certs\/0: cannot read/],
  ];
  for (const [tls, re] of cases) {
    const r = check({ ...base, tls });
    assert.equal(r.code, 1, `${JSON.stringify(tls)}\n${r.out}`);
    assert.match(r.out, re);
  }
  const good = check({ ...base, tls: { keys, min_version: 'TLS12', cipher_suites: [49195, 4865], curve_preferences: [29, 23] } });
  assert.equal(good.code, 0, good.out);
});
