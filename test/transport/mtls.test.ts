// Mutual TLS, client to gateway: with enable_mtls a client certificate from a declared CA is
// required in the handshake. No certificate, one from another CA, or one not meant for client
// authentication is refused before any HTTP exchange (the backend is never called). The verified
// certificate's facts reach backends only through declared headers (security/client-cert), which
// a client cannot forge.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { check } from './helpers/check.js';
import { Pki, type Ca, type Leaf } from './helpers/pki.js';
import { h2Connect, h2Request, httpsGet } from './helpers/tls-client.js';

let pki: Pki;
let serverCa: Ca;
let clientCa: Ca;
let otherCa: Ca;
let server: Leaf;
let alice: Leaf;
let mallory: Leaf;
let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  pki = new Pki();
  serverCa = pki.ca('server');
  clientCa = pki.ca('clients');
  otherCa = pki.ca('other');
  server = pki.issue(serverCa, 'gateway', { usage: 'server', ips: ['127.0.0.1'] });
  alice = pki.issue(clientCa, 'alice', { usage: 'client', o: 'Acme' });
  mallory = pki.issue(otherCa, 'alice', { usage: 'client', o: 'Acme' });
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    tls: { keys: [{ public_key: server.certFile, private_key: server.keyFile }], enable_mtls: true, ca_certs: [clientCa.certFile] },
    extra_config: {
      'security/client-cert': { headers: { subject: 'X-Client-Subject', fingerprint: 'X-Client-Cert-Sha256', serial: 'X-Client-Cert-Serial' } },
    },
    endpoints: [{ endpoint: '/who', input_headers: ['X-Client-Subject', 'X-Tenant'], backend: [{ url_pattern: '/who' }] }],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('a client without a certificate is refused in the handshake', async () => {
  const n = be.seen.length;
  await assert.rejects(httpsGet(gw.port, '/who', { ca: serverCa.cert }));
  await assert.rejects(httpsGet(gw.port, '/__health', { ca: serverCa.cert }), 'every route, health included, needs a certificate');
  assert.equal(be.seen.length, n);
});

test('a certificate from another CA (same subject) is refused', async () => {
  const n = be.seen.length;
  await assert.rejects(httpsGet(gw.port, '/who', { ca: serverCa.cert, cert: mallory.cert, key: mallory.key }));
  assert.equal(be.seen.length, n);
});

test('a certificate from the trusted CA that is not for client authentication is refused', async () => {
  const serverOnly = pki.issue(clientCa, 'not-a-client', { usage: 'server' });
  const n = be.seen.length;
  await assert.rejects(httpsGet(gw.port, '/who', { ca: serverCa.cert, cert: serverOnly.cert, key: serverOnly.key }));
  assert.equal(be.seen.length, n);
});

test('a certificate from the trusted CA is served; its facts reach the backend and cannot be forged', async () => {
  const n = be.seen.length;
  const r = await httpsGet(gw.port, '/who', {
    ca: serverCa.cert,
    cert: alice.cert,
    key: alice.key,
    headers: { 'X-Client-Subject': 'CN=admin', 'X-Client-Cert-Sha256': 'forged', 'X-Tenant': 't' },
  });
  assert.equal(r.status, 200);
  const x = new X509Certificate(alice.cert);
  const seen = be.seen[n].headers;
  assert.equal(seen['x-client-subject'], 'O=Acme,CN=alice');
  assert.equal(seen['x-client-cert-sha256'], createHash('sha256').update(x.raw).digest('hex'));
  assert.equal(seen['x-client-cert-serial'], x.serialNumber);
  assert.equal(seen['x-tenant'], 't');
  // Over HTTP/2 too (facts come from the session's socket).
  const s = await h2Connect(gw.port, { ca: serverCa.cert, cert: alice.cert, key: alice.key });
  try {
    const h = await h2Request(s, '/who', { 'x-client-subject': 'CN=admin' });
    assert.equal(h.status, 200);
    assert.equal(be.seen.at(-1)!.headers['x-client-subject'], 'O=Acme,CN=alice');
  } finally {
    s.close();
  }
  // Refused clients did not disturb anyone: a second good client is served.
  assert.equal((await httpsGet(gw.port, '/who', { ca: serverCa.cert, cert: alice.cert, key: alice.key })).status, 200);
});

test('security/client-cert without enable_mtls is refused at startup', () => {
  const r = check({
    version: 3,
    extra_config: { 'security/client-cert': { headers: { subject: 'X-Client-Subject' } } },
    endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['http://127.0.0.1:9'] }] }],
  });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /\/extra_config\/security~1client-cert: needs "tls": \{"enable_mtls": true\}/);
});
