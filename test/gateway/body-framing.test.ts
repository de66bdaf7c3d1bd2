// How a buffered client body goes to the backend, byte for byte on the backend's socket: without
// Content-Length in input_headers it is sent chunked as KrakenD's Go client sends it (one chunk,
// then the last-chunk terminator), and a 307 sends the same bytes again to the redirect target.
// The backend is a raw TCP server, so the framing itself (not a parser's view of it) is checked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

/** Every request the backend got: its head and the raw bytes after it, up to the end of its body. */
const seen: { head: string; rest: string }[] = [];
let backend: Server;
let gw: RunningGateway;
const sockets = new Set<Socket>();

function answer(sock: Socket, head: string): void {
  const path = head.split(' ', 2)[1];
  if (path === '/moved') return void sock.write('HTTP/1.1 307 Temporary Redirect\r\nLocation: /target\r\nContent-Length: 0\r\n\r\n');
  sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}');
}

before(async () => {
  backend = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      buf += d;
      // Requests on a kept-alive socket, one after another: each ends with its chunked body's
      // terminator (every request here has a chunked body) or, without one, after its head.
      for (;;) {
        const h = buf.indexOf('\r\n\r\n');
        if (h < 0) return;
        const head = buf.slice(0, h);
        const chunked = /\r\ntransfer-encoding: chunked/i.test(head);
        const end = chunked ? buf.indexOf('\r\n0\r\n\r\n', h + 4) : h;
        if (end < 0) return;
        const stop = chunked ? end + 7 : h + 4;
        seen.push({ head, rest: buf.slice(h + 4, stop) });
        buf = buf.slice(stop);
        answer(sock, head);
      }
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gw = await startGateway({
    version: 3,
    host: [origin],
    endpoints: [
      { endpoint: '/orders', method: 'POST', input_headers: ['X-Tenant'], backend: [{ url_pattern: '/orders' }] },
      { endpoint: '/moved', method: 'POST', input_headers: ['X-Tenant'], backend: [{ url_pattern: '/moved' }] },
    ],
  });
});

after(async () => {
  await gw?.stop();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => backend.close(() => r()));
});

const BODY = '{"customer":{"id":"c-1"},"note":"über"}';
const framed = (b: string): string => {
  const bytes = Buffer.from(b);
  return `${bytes.length.toString(16)}\r\n${bytes.toString('latin1')}\r\n0\r\n\r\n`;
};

test('a buffered POST body goes chunked, as one chunk and the terminator, with no Content-Length', async () => {
  const n = seen.length;
  const r = await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json', 'x-tenant': 'acme' }, BODY);
  assert.equal(r.status, 200);
  assert.equal(seen.length, n + 1);
  const { head, rest } = seen[n];
  assert.match(head, /^POST \/orders HTTP\/1\.1\r\n/);
  assert.match(head, /\r\ntransfer-encoding: chunked(\r\n|$)/i);
  assert.doesNotMatch(head, /\r\ncontent-length:/i);
  assert.equal(rest, framed(BODY));
});

test('a 307 from the backend: the same body, framed the same way, goes to the redirect target', async () => {
  const n = seen.length;
  const r = await http(gw.port, 'POST', '/moved', { 'content-type': 'application/json', 'x-tenant': 'acme' }, BODY);
  assert.equal(r.status, 200);
  assert.equal(seen.length, n + 2);
  assert.match(seen[n].head, /^POST \/moved /);
  assert.match(seen[n + 1].head, /^POST \/target /);
  for (const s of seen.slice(n)) assert.equal(s.rest, framed(BODY));
});

test('requests one after another on the kept-alive backend connection stay framed apart', async () => {
  const n = seen.length;
  for (let i = 0; i < 5; i++) {
    const body = JSON.stringify({ i, pad: 'x'.repeat(i * 100) });
    const r = await http(gw.port, 'POST', '/orders', { 'content-type': 'application/json', 'x-tenant': 'acme' }, body);
    assert.equal(r.status, 200);
    assert.equal(seen[n + i].rest, framed(body));
  }
});
