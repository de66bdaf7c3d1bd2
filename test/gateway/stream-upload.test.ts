// Large request bodies on a direct no-op endpoint are streamed to the backend as they arrive
// (run-endpoint.ts forwardDirect, issue #20), not read whole first; everything else about the
// request stays as on the buffered path: every byte arrives, with its Content-Length, max_payload
// still answers 413 before anything is sent, small bodies and guarded endpoints are buffered,
// and a 307 (which would need the body again) is answered as it is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

const MiB = 1024 * 1024;
let backend: Server;
let origin = '';
let gw: RunningGateway;
/** What the backend saw: per request id (x-id), bytes so far, and its headers. */
const seen = new Map<string, { bytes: number; headers: IncomingMessage['headers']; done: boolean }>();

before(async () => {
  backend = createServer((req, res) => {
    const id = String(req.headers['x-id'] ?? '');
    const s = { bytes: 0, headers: req.headers, done: false };
    seen.set(id, s);
    if (req.url === '/redirect') {
      res.writeHead(307, { location: '/upload' });
      return void res.end();
    }
    req.on('data', (c: Buffer) => (s.bytes += c.length));
    req.on('end', () => {
      s.done = true;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bytes: s.bytes }));
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(backend.address() as { port: number }).port}`;
  const noop = (endpoint: string, url: string, extra: object = {}) => ({
    endpoint,
    method: 'POST',
    output_encoding: 'no-op',
    input_headers: ['X-Id', 'Content-Type'],
    extra_config: { proxy: { max_payload: 4 * MiB } },
    ...extra,
    backend: [{ host: [origin], url_pattern: url, encoding: 'no-op', method: 'POST' }],
  });
  gw = await startGateway({
    version: 3,
    timeout: '5s',
    endpoints: [
      noop('/upload', '/upload'),
      // Content-Length among input_headers: KrakenD then sends the body with it, not chunked.
      noop('/upload-cl', '/upload', { input_headers: ['X-Id', 'Content-Length'] }),
      noop('/redirect', '/redirect'),
    ],
  });
});

after(async () => {
  await gw?.stop();
  backend?.closeAllConnections();
  await new Promise<void>((r) => backend?.close(() => r()));
});

/** POSTs `total` bytes in two halves; `between` runs after the first half is written. */
function upload(path: string, id: string, total: number, between?: () => Promise<void>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port: gw.port,
        host: '127.0.0.1',
        path,
        method: 'POST',
        headers: { 'x-id': id, 'content-length': String(total), 'content-type': 'application/octet-stream' },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(total / 2);
    req.write(Buffer.alloc(half, 0x61), () => {
      void (between ?? (async () => undefined))().then(
        () => req.end(Buffer.alloc(total - half, 0x62)),
        (err: unknown) => {
          req.destroy();
          reject(err);
        },
      );
    });
  });
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test('a large body reaches the backend before the client has sent all of it, whole, chunked as KrakenD sends it', async () => {
  const total = 2 * MiB;
  const r = await upload('/upload', 'big', total, async () => {
    // Buffered, the backend would see nothing until the last byte: streamed, it sees the first half.
    assert.ok(await until(() => (seen.get('big')?.bytes ?? 0) > 0, 3000), 'the backend got bytes while the client was still sending');
    assert.equal(seen.get('big')?.done, false);
  });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { bytes: total });
  assert.equal(seen.get('big')?.headers['transfer-encoding'], 'chunked');
  assert.equal(seen.get('big')?.headers['content-length'], undefined);
});

test('with Content-Length in input_headers the streamed body goes with it', async () => {
  const total = 1 * MiB;
  const r = await upload('/upload-cl', 'cl', total, async () => {
    assert.ok(await until(() => (seen.get('cl')?.bytes ?? 0) > 0, 3000), 'streamed');
  });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { bytes: total });
  assert.equal(seen.get('cl')?.headers['content-length'], String(total));
  assert.equal(seen.get('cl')?.headers['transfer-encoding'], undefined);
});

test('a small body still goes buffered (the backend sees nothing before the last byte)', async () => {
  const total = 64 * 1024;
  const r = await upload('/upload', 'small', total, async () => {
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(seen.get('small'), undefined, 'not called before the body is complete');
  });
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { bytes: total });
  assert.equal(seen.get('small')?.headers['transfer-encoding'], 'chunked', 'same framing as the streamed body');
});

test('over max_payload: 413 and the backend is never called', async () => {
  const r = await new Promise<number>((resolve, reject) => {
    const req = request(
      { port: gw.port, host: '127.0.0.1', path: '/upload', method: 'POST', headers: { 'x-id': 'huge', 'content-length': String(5 * MiB) } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
  assert.equal(r, 413);
  assert.equal(seen.has('huge'), false);
});

test('a 307 to a streamed request is answered as it is (the body cannot be sent twice)', async () => {
  const r = await upload('/redirect', 'redir', 1 * MiB);
  assert.equal(r.status, 307);
});
