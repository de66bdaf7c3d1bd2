// security/client-cert with a verified certificate whose subject holds characters outside the
// Basic Multilingual Plane (an emoji in the CN). The facts are percent-encoded for the header;
// the encoder walked UTF-16 units one by one, and encodeURIComponent throws on half a surrogate
// pair ("URI malformed"), so every request on such a connection failed. Found while reviewing
// encodeURIComponent call sites for issue #14's fuzzing (the URL template had the same flaw).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { Pki, type Ca, type Leaf } from './helpers/pki.js';
import { httpsGet } from './helpers/tls-client.js';

let pki: Pki;
let serverCa: Ca;
let clientCa: Ca;
let server: Leaf;
let be: TestBackend;
let gw: RunningGateway;

/** A client certificate with a UTF-8 subject (the Pki helper writes ASCII subjects). */
function unicodeClient(ca: Ca, cn: string): { cert: string; key: string } {
  const base = join(pki.dir, 'unicode-client');
  writeFileSync(`${base}.ext`, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-utf8',
    '-keyout',
    `${base}.key`,
    '-out',
    `${base}.csr`,
    '-subj',
    `/O=Acme/CN=${cn}`,
  ]);
  run([
    'x509',
    '-req',
    '-in',
    `${base}.csr`,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-out',
    `${base}.pem`,
    '-days',
    '2',
    '-sha256',
    '-extfile',
    `${base}.ext`,
  ]);
  return { cert: readFileSync(`${base}.pem`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
}

before(async () => {
  pki = new Pki();
  serverCa = pki.ca('server');
  clientCa = pki.ca('clients');
  server = pki.issue(serverCa, 'gateway', { usage: 'server', ips: ['127.0.0.1'] });
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    tls: { keys: [{ public_key: server.certFile, private_key: server.keyFile }], enable_mtls: true, ca_certs: [clientCa.certFile] },
    extra_config: { 'security/client-cert': { headers: { subject: 'X-Client-Subject' } } },
    endpoints: [{ endpoint: '/who', backend: [{ url_pattern: '/who' }] }],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('a client certificate with an emoji in its subject: the fact is forwarded percent-encoded', async () => {
  const client = unicodeClient(clientCa, 'caf\u00e9 \u{1F600}');
  const n = be.seen.length;
  const r = await httpsGet(gw.port, '/who', { ca: serverCa.cert, cert: client.cert, key: client.key }).catch((err: Error) => {
    throw new Error(
      `${err.message}; gateway ${gw.proc.exitCode === null && gw.proc.signalCode === null ? 'still running' : 'exited'}:\n${gw
        .output()
        .split('\n')
        .filter((l) => /rror/.test(l))
        .slice(-3)
        .join('\n')}`,
    );
  });
  assert.equal(
    r.status,
    200,
    `${r.body}\n${gw
      .output()
      .split('\n')
      .filter((l) => /error|Error/.test(l))
      .slice(-3)
      .join('\n')}`,
  );
  assert.equal(be.seen[n].headers['x-client-subject'], 'O=Acme,CN=caf%C3%A9 %F0%9F%98%80');
});
