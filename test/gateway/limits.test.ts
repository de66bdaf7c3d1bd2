// Server limits: oversized bodies and headers, slowloris, and that the gateway keeps serving
// everyone else while an attacker misbehaves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http, rawExchange } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;

before(async () => {
  be = await startBackend();
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    read_header_timeout: '500ms',
    max_header_bytes: 8192,
    extra_config: { router: { max_payload: 1024 } },
    endpoints: [
      { endpoint: '/up', method: 'POST', backend: [{ url_pattern: '/up' }] },
      { endpoint: '/big', method: 'POST', backend: [{ url_pattern: '/big' }], extra_config: { proxy: { max_payload: 4096 } } },
      { endpoint: '/ok', backend: [{ url_pattern: '/ok' }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

test('a body over the limit gets 413 and never reaches the backend', async () => {
  const n = be.seen.length;
  const r = await http(gw.port, 'POST', '/up', { 'content-type': 'application/json' }, 'x'.repeat(2000));
  assert.equal(r.status, 413);
  // Chunked (no Content-Length) is counted too.
  const chunked = await rawExchange(gw.port, `POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'y'.repeat(0x800)}\r\n0\r\n\r\n`);
  assert.match(chunked.text, /^HTTP\/1\.1 413/);
  assert.equal(be.seen.length, n);
  const small = await http(gw.port, 'POST', '/up', { 'content-type': 'application/json' }, '{"a":1}');
  assert.equal(small.status, 200);
  assert.equal(be.seen[n].body, '{"a":1}');
  assert.equal(be.seen[n].headers['content-type'], 'application/json');
  const perEndpoint = await http(gw.port, 'POST', '/big', {}, 'z'.repeat(3000));
  assert.equal(perEndpoint.status, 200, 'endpoint max_payload overrides the service limit');
});

test('oversized request headers get 431', async () => {
  const r = await rawExchange(gw.port, `GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`);
  assert.match(r.text, /^HTTP\/1\.1 431/);
});

test('a client sending headers one byte at a time is cut off; others keep being served', async () => {
  const sock = connect(gw.port, '127.0.0.1');
  const started = Date.now();
  let closedAt = 0;
  let received = '';
  sock.on('data', (d) => (received += d));
  const closed = new Promise<void>((r) => sock.on('close', () => ((closedAt = Date.now()), r())));
  sock.on('error', () => undefined);
  const line = 'GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200);
  let i = 0;
  const drip = setInterval(() => {
    if (sock.destroyed || i >= line.length) return clearInterval(drip);
    sock.write(line[i++]);
  }, 100);
  // Meanwhile a normal client is served.
  const r = await http(gw.port, 'GET', '/ok');
  assert.equal(r.status, 200);
  await Promise.race([closed, new Promise((r) => setTimeout(r, 6000))]);
  clearInterval(drip);
  assert.ok(closedAt > 0, 'slow client was never disconnected');
  assert.ok(closedAt - started < 3000, `disconnected after ${closedAt - started} ms`);
  assert.doesNotMatch(received, /200 OK/);
});
