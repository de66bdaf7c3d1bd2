// `websocket` (direct communication) over TLS on both hops, with real sockets: a `ws` client
// speaks wss:// to the gateway's TLS listener (root `tls.keys`, certificate from a test CA), and
// the gateway dials a wss:// backend (a `ws` server on an HTTPS listener) whose certificate comes
// from a private CA that only `client_tls.ca_certs` trusts. A second gateway without that CA
// must refuse the backend (502 at the upgrade: its certificate is not trusted), so the test shows
// that the backend hop is verified with client_tls, not with Node's defaults or not at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { Pki, type Ca } from '../transport/helpers/pki.js';

let pki: Pki;
let edgeCa: Ca;
let upCa: Ca;
let https: Server;
let backend: WebSocketServer;
let gw: RunningGateway;
let gwNoCa: RunningGateway;
let upgrades = 0; // WebSocket connections the backend accepted

before(async () => {
  pki = new Pki();
  edgeCa = pki.ca('edge');
  upCa = pki.ca('upstream');
  const up = pki.issue(upCa, 'ws-backend', { usage: 'server', ips: ['127.0.0.1'] });
  https = createServer({ cert: up.cert, key: up.key });
  backend = new WebSocketServer({ server: https });
  backend.on('connection', (ws, req) => {
    upgrades++;
    ws.send(JSON.stringify({ url: req.url, tls: (req.socket as { encrypted?: boolean }).encrypted === true }));
    ws.on('message', (data, binary) => ws.send(data, { binary }));
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  const host = `wss://127.0.0.1:${(https.address() as AddressInfo).port}`;
  const edge = pki.issue(edgeCa, 'gateway', { usage: 'server', ips: ['127.0.0.1'] });
  const config = (clientTls: object) => ({
    version: 3,
    tls: { keys: [{ public_key: edge.certFile, private_key: edge.keyFile }] },
    client_tls: clientTls,
    endpoints: [
      {
        endpoint: '/live/{room}',
        backend: [{ url_pattern: '/rooms/{room}', host: [host], disable_host_sanitize: true }],
        extra_config: { websocket: { enable_direct_communication: true, max_message_size: 1024 } },
      },
    ],
  });
  gw = await startGateway(config({ ca_certs: [upCa.certFile], disable_system_ca_pool: true }));
  gwNoCa = await startGateway(config({}));
});

after(async () => {
  await gw?.stop();
  await gwNoCa?.stop();
  backend?.close();
  https?.close();
});

/** Opens wss://127.0.0.1:port/path trusting the edge CA; resolves with the socket and its first message. */
function open(port: number, path: string): Promise<{ ws: WebSocket; first: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${path}`, { ca: edgeCa.cert, handshakeTimeout: 3000 });
    ws.once('message', (data) => resolve({ ws, first: String(data) }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(Object.assign(new Error(`status ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
  });
}

test('wss:// client -> TLS listener -> wss:// backend trusted through client_tls.ca_certs: messages both ways', async () => {
  const { ws, first } = await open(gw.port, '/live/blue');
  try {
    assert.deepEqual(JSON.parse(first), { url: '/rooms/blue', tls: true });
    const echoed = new Promise<string>((r) => ws.once('message', (d) => r(String(d))));
    ws.send('hello over two TLS hops');
    assert.equal(await echoed, 'hello over two TLS hops');
  } finally {
    ws.terminate();
  }
});

test('a wss:// backend whose certificate client_tls does not trust is refused at the upgrade (502), not relayed', async () => {
  const before = upgrades;
  await assert.rejects(open(gwNoCa.port, '/live/blue'), (err: { status?: number }) => err.status === 502);
  assert.equal(upgrades, before, 'the backend accepted a WebSocket from a gateway that should not trust it');
});
