// TLS towards backends: HTTPS backends are verified (system pool + client_tls.ca_certs, or only
// the declared CAs); an untrusted certificate fails the call before any request is sent, unless
// allow_insecure_connections (which `check` and the startup log flag). Client certificates give
// mutual TLS to backends. Redirects are followed only within a backend's declared hosts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';
import { check } from './helpers/check.js';
import { startHttpsBackend, type HttpsBackend } from './helpers/https-backend.js';
import { Pki, type Ca } from './helpers/pki.js';

let pki: Pki;
let upCa: Ca;
let clientCa: Ca;
let trusted: HttpsBackend; // certificate from upCa
let selfSigned: HttpsBackend; // trusted by nobody
let mutual: HttpsBackend; // upCa certificate, requires a client certificate from clientCa
let plain: TestBackend; // an undeclared origin (redirect target)
let gwDefault: RunningGateway;
let gwCa: RunningGateway;
let gwInsecure: RunningGateway;

function endpoints() {
  return [
    { endpoint: '/private', backend: [{ host: [trusted.origin], url_pattern: '/private' }] },
    { endpoint: '/self', backend: [{ host: [selfSigned.origin], url_pattern: '/self' }] },
    { endpoint: '/mutual', backend: [{ host: [mutual.origin], url_pattern: '/mutual' }] },
    { endpoint: '/hop', backend: [{ host: [trusted.origin], url_pattern: '/hop' }] },
    { endpoint: '/away', backend: [{ host: [trusted.origin], url_pattern: '/away' }] },
  ];
}

before(async () => {
  pki = new Pki();
  upCa = pki.ca('upstream');
  clientCa = pki.ca('gateway-clients');
  plain = await startBackend();
  trusted = await startHttpsBackend(pki.issue(upCa, 'backend', { usage: 'server', ips: ['127.0.0.1'] }), {
    handler: (req, res) => {
      // /hop redirects within the declared origin; /away to an undeclared one (plain HTTP too).
      if (req.url === '/hop') return void res.writeHead(302, { location: '/private' }).end();
      if (req.url === '/away') return void res.writeHead(302, { location: `${plain.origin}/stolen` }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    },
  });
  selfSigned = await startHttpsBackend(pki.selfSigned('127.0.0.1'));
  mutual = await startHttpsBackend(pki.issue(upCa, 'mutual-backend', { usage: 'server', ips: ['127.0.0.1'] }), { clientCa: clientCa.cert });
  const gwClient = pki.issue(clientCa, 'rampart-gateway', { usage: 'client' });
  gwDefault = await startGateway({ version: 3, endpoints: endpoints() });
  gwCa = await startGateway({
    version: 3,
    client_tls: { ca_certs: [upCa.certFile], disable_system_ca_pool: true, client_certs: [{ certificate: gwClient.certFile, private_key: gwClient.keyFile }] },
    endpoints: endpoints(),
  });
  gwInsecure = await startGateway({ version: 3, client_tls: { allow_insecure_connections: true }, endpoints: endpoints() });
});

after(async () => {
  await Promise.all([gwDefault?.stop(), gwCa?.stop(), gwInsecure?.stop()]);
  await Promise.all([trusted?.close(), selfSigned?.close(), mutual?.close(), plain?.close()]);
});

test('a backend certificate from an unknown CA is refused: 500, no request reaches the backend', async () => {
  const n = trusted.seen.length;
  const r = await http(gwDefault.port, 'GET', '/private');
  assert.equal(r.status, 500);
  assert.equal(r.body, '', 'no TLS detail leaks to the client');
  assert.equal(trusted.seen.length, n);
  // The backend learns of the refused handshake from the gateway's TLS alert, which it may read
  // after the gateway has already answered the client: wait for it (bounded), do not race it.
  for (let i = 0; i < 100 && trusted.handshakeErrors === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(trusted.handshakeErrors > 0, 'the backend saw no failed handshake');
  assert.equal((await http(gwDefault.port, 'GET', '/self')).status, 500);
  assert.equal(selfSigned.seen.length, 0);
  assert.equal((await http(gwDefault.port, 'GET', '/__health')).status, 200);
});

test('client_tls.ca_certs makes the private CA trusted; other certificates stay refused', async () => {
  const r = await http(gwCa.port, 'GET', '/private');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { path: '/private' });
  assert.equal((await http(gwCa.port, 'GET', '/self')).status, 500);
  assert.equal(selfSigned.seen.length, 0);
});

test('client_tls.client_certs: mutual TLS to a backend that requires a client certificate', async () => {
  const r = await http(gwCa.port, 'GET', '/mutual');
  assert.equal(r.status, 200);
  assert.equal(mutual.seen.at(-1)!.clientCn, 'rampart-gateway');
  // Without a client certificate the backend refuses the handshake.
  const n = mutual.seen.length;
  assert.equal((await http(gwInsecure.port, 'GET', '/mutual')).status, 500);
  assert.equal(mutual.seen.length, n);
});

test('allow_insecure_connections skips verification, and is flagged by check and at startup', async () => {
  assert.equal((await http(gwInsecure.port, 'GET', '/self')).status, 200);
  assert.equal(selfSigned.seen.length, 1);
  assert.match(gwInsecure.output(), /upstream TLS certificates are NOT verified/);
  const r = check({
    version: 3,
    client_tls: { allow_insecure_connections: true },
    endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['https://127.0.0.1:9'] }] }],
  });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /warning: \/client_tls\/allow_insecure_connections: upstream TLS certificates are NOT verified/);
});

test('redirects are followed only within the declared hosts (never to another origin or to plain HTTP)', async () => {
  assert.equal((await http(gwCa.port, 'GET', '/hop')).status, 200);
  assert.equal(trusted.seen.at(-1)!.url, '/private');
  const r = await http(gwCa.port, 'GET', '/away');
  assert.equal(r.status, 500);
  assert.equal(plain.seen.length, 0);
});

test('bad client_tls configs stop startup with their JSON pointer', () => {
  const base = { version: 3, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/', host: ['https://127.0.0.1:9'] }] }] };
  const c1 = pki.issue(clientCa, 'one', { usage: 'client' });
  const c2 = pki.issue(clientCa, 'two', { usage: 'client' });
  const cases: [object, RegExp][] = [
    [{ ca_certs: ['/nonexistent/ca.pem'] }, /\/client_tls\/ca_certs\/0: cannot read/],
    [{ disable_system_ca_pool: true }, /\/client_tls\/ca_certs: disable_system_ca_pool leaves no trusted CA/],
    [{ min_version: 'TLS10' }, /\/client_tls\/min_version: "TLS10" is obsolete/],
    [{ cipher_suites: [10] }, /\/client_tls\/cipher_suites: cipher suite 10 is not an AEAD suite/],
    [{ client_certs: [{ certificate: c1.certFile, private_key: c2.keyFile }] }, /\/client_tls\/client_certs\/0: private key .* does not match/],
    [
      {
        client_certs: [
          { certificate: c1.certFile, private_key: c1.keyFile },
          { certificate: c2.certFile, private_key: c2.keyFile },
        ],
      },
      /\/client_tls\/client_certs\/1: a second ec client certificate/,
    ],
    [{ insecure: true }, /\/client_tls\/insecure: unknown field/],
  ];
  for (const [client_tls, re] of cases) {
    const r = check({ ...base, client_tls });
    assert.equal(r.code, 1, `${JSON.stringify(client_tls)}\n${r.out}`);
    assert.match(r.out, re);
  }
});
