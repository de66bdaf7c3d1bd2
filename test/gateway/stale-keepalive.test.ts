// A backend that closes a kept-alive connection just as the gateway sends the next request on it
// (a race every keep-alive client meets with backends that close idle connections unannounced):
// the gateway sends a replayable request again, once, on a new connection, as Go's transport
// (KrakenD's) does, and never replays what is not replayable. The backend is a raw TCP server
// that answers the first request of every connection and drops the connection, unanswered, when
// a second one arrives on it — so every request after the first meets a dead kept-alive socket.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

/** Every request the backend read: its connection's number and its request line. */
const seen: { conn: number; line: string }[] = [];
let backend: Server;
let gw: RunningGateway;
const sockets = new Set<Socket>();
let conns = 0;

before(async () => {
  backend = createServer((sock) => {
    const conn = ++conns;
    let served = 0;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      for (;;) {
        const h = buf.indexOf('\r\n\r\n');
        if (h < 0) return;
        const head = buf.slice(0, h);
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
        const end = chunked ? buf.indexOf('\r\n0\r\n\r\n', h + 4) + 7 : h + 4 + len;
        if ((chunked && end < 7) || buf.length < end) return;
        buf = buf.slice(end);
        const line = head.slice(0, head.indexOf('\r\n'));
        seen.push({ conn, line });
        // Dropped unanswered: the second request of a connection, and any request to /reset.
        if (served === 1 || line.includes(' /reset ')) return void sock.destroy();
        served++;
        sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}');
      }
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gw = await startGateway({
    version: 3,
    host: [origin],
    endpoints: [
      { endpoint: '/item', backend: [{ url_pattern: '/item' }] },
      { endpoint: '/noop', backend: [{ url_pattern: '/noop', encoding: 'no-op' }] },
      { endpoint: '/reset', backend: [{ url_pattern: '/reset' }] },
      { endpoint: '/orders', method: 'POST', input_headers: ['Idempotency-Key'], backend: [{ url_pattern: '/orders' }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => backend.close(() => r()));
});

test('a GET that meets a dead kept-alive connection is sent again on a new one and answered', async () => {
  const first = await http(gw.port, 'GET', '/item');
  assert.equal(first.status, 200);
  const n = seen.length;
  const second = await http(gw.port, 'GET', '/item');
  assert.equal(second.status, 200);
  assert.deepEqual(JSON.parse(second.body), { ok: true });
  // Read once on the dead connection, once more on a new one.
  assert.equal(seen.length, n + 2);
  assert.equal(seen[n].line, 'GET /item HTTP/1.1');
  assert.equal(seen[n + 1].line, 'GET /item HTTP/1.1');
  assert.notEqual(seen[n + 1].conn, seen[n].conn);
});

test('the direct path (a no-op endpoint) retries the same way', async () => {
  for (let i = 0; i < 3; i++) {
    const n = seen.length;
    const r = await http(gw.port, 'GET', '/noop');
    assert.equal(r.status, 200, `request ${i}`);
    assert.ok(seen.length - n <= 2, 'at most one retry');
  }
});

test('a POST without an Idempotency-Key is never sent twice: the client gets the failure', async () => {
  await http(gw.port, 'GET', '/item'); // a kept-alive connection with one answer on it
  const n = seen.length;
  const r = await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json' }, '{"n":1}');
  assert.ok(r.status >= 500, `status ${r.status}`);
  assert.deepEqual(
    seen.slice(n).map((s) => s.line),
    ['POST /orders HTTP/1.1'],
  );
});

test('a POST with an Idempotency-Key is replayable, as in Go, and goes again on a new connection', async () => {
  await http(gw.port, 'GET', '/item');
  const n = seen.length;
  const r = await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, '{"n":1}');
  assert.equal(r.status, 200);
  assert.deepEqual(
    seen.slice(n).map((s) => s.line),
    ['POST /orders HTTP/1.1', 'POST /orders HTTP/1.1'],
  );
  assert.notEqual(seen[n + 1].conn, seen[n].conn);
});

test('a backend that drops every request gets exactly one retry, then the client gets a 5xx', async () => {
  await http(gw.port, 'GET', '/item');
  const n = seen.length;
  const r = await http(gw.port, 'GET', '/reset');
  assert.ok(r.status >= 500, `status ${r.status}`);
  assert.deepEqual(
    seen.slice(n).map((s) => s.line),
    ['GET /reset HTTP/1.1', 'GET /reset HTTP/1.1'],
  );
});
