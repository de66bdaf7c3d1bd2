// Listener and per-call limits, each answered cleanly: too many header fields (431), a
// connection cap (503 + Retry-After, then hard drop), a per-backend timeout (504, or a partial
// answer), and the per-endpoint body limit (413).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { http, rawExchange } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;
const MAX_CONN = 5;

before(async () => {
  be = await startBackend((req, res) => {
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ [req.url!.slice(1)]: true }));
    };
    if (req.url === '/slow') setTimeout(answer, 1500);
    else answer();
  });
  gw = await startGateway({
    version: 3,
    host: [be.origin],
    timeout: '3s',
    extra_config: { 'qos/server-limits': { max_connections: MAX_CONN, max_header_count: 20 } },
    endpoints: [
      { endpoint: '/ok', backend: [{ url_pattern: '/fast' }] },
      { endpoint: '/slow', backend: [{ url_pattern: '/slow', extra_config: { 'qos/backend-timeout': { timeout: '200ms' } } }] },
      {
        endpoint: '/mixed',
        backend: [{ url_pattern: '/fast' }, { url_pattern: '/slow', extra_config: { 'qos/backend-timeout': { timeout: '200ms' } } }],
      },
      { endpoint: '/small', method: 'POST', backend: [{ url_pattern: '/fast' }], extra_config: { proxy: { max_payload: 100 } } },
    ],
  });
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

function request(headers: number): string {
  let h = '';
  for (let i = 1; i < headers; i++) h += `X-H${i}: v\r\n`;
  return `GET /ok HTTP/1.1\r\nHost: x\r\n${h}Connection: close\r\n\r\n`;
}

test('more header fields than max_header_count: 431, and the request goes nowhere', async () => {
  const n = be.seen.length;
  // Host + 18 X-Hn + Connection = 20 fields: accepted. One more: refused.
  assert.match((await rawExchange(gw.port, request(19))).text, /^HTTP\/1\.1 200/);
  const r = await rawExchange(gw.port, request(20));
  assert.match(r.text, /^HTTP\/1\.1 431/);
  assert.match(r.text, /connection: close/i);
  assert.equal(be.seen.length, n + 1);
});

function openIdle(n: number): Promise<Socket[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const s = connect(gw.port, '127.0.0.1', () => resolve(s));
          s.on('error', reject);
        }),
    ),
  );
}

test('connection cap: over max_connections a request gets 503 + Retry-After and the connection closes; far over it, connections are dropped', async () => {
  const idle = await openIdle(MAX_CONN);
  try {
    await new Promise((r) => setTimeout(r, 100));
    const over = await rawExchange(gw.port, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(over.text, /^HTTP\/1\.1 503/);
    assert.match(over.text, /retry-after: 1/i);
    assert.ok(over.closed, 'the over-cap connection was kept open');
    // The hard cap is max_connections + 16 (at least): beyond it the kernel connection is dropped.
    const more = await openIdle(16);
    await new Promise((r) => setTimeout(r, 100));
    const dropped = await rawExchange(gw.port, 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n', 2000);
    assert.equal(dropped.text, '');
    assert.ok(dropped.closed);
    more.forEach((s) => s.destroy());
  } finally {
    idle.forEach((s) => s.destroy());
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await http(gw.port, 'GET', '/ok')).status, 200, 'capacity is back once connections close');
});

test('per-backend timeout: a slow backend is cut off with 504 long before the endpoint timeout', async () => {
  const started = Date.now();
  const r = await http(gw.port, 'GET', '/slow');
  assert.equal(r.status, 504);
  assert.ok(Date.now() - started < 1200, `took ${Date.now() - started} ms (backend answers after 1500 ms)`);
});

test('per-backend timeout in a multi-backend endpoint: a partial answer from the fast one', async () => {
  const r = await http(gw.port, 'GET', '/mixed');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { fast: true });
  assert.equal(r.headers['x-rampart-completed'], 'false');
});

test('per-endpoint body limit (proxy.max_payload): 413 over it, by Content-Length or while streaming', async () => {
  const n = be.seen.length;
  assert.equal((await http(gw.port, 'POST', '/small', { 'content-type': 'text/plain' }, 'a'.repeat(100))).status, 200);
  assert.equal((await http(gw.port, 'POST', '/small', { 'content-type': 'text/plain' }, 'a'.repeat(101))).status, 413);
  const chunked = await rawExchange(
    gw.port,
    `POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n${'b'.repeat(64)}\r\n40\r\n${'b'.repeat(64)}\r\n0\r\n\r\n`,
  );
  assert.match(chunked.text, /^HTTP\/1\.1 413/);
  assert.equal(be.seen.length, n + 1);
});
