// The OTLP/HTTP trace sink (observability/otel/http-trace-sink.ts) against a real HTTP server:
// the batch is POSTed to /v1/traces as application/x-protobuf with the configured headers; a
// 503 with Retry-After is retried with the same bytes, a 400 is not; shutdown sends what was
// handed over before it; Retry-After in seconds and as a date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpTraceSink, retryAfterMs } from '../../src/observability/otel/http-trace-sink.js';

interface Seen {
  path: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A receiver answering each POST with the next status of `answers` (then 200). */
async function receiver(answers: { status: number; headers?: Record<string, string> }[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      seen.push({ path: req.url, headers: req.headers, body: Buffer.concat(parts) });
      const a = answers.shift() ?? { status: 200 };
      res.writeHead(a.status, { 'content-type': 'application/x-protobuf', 'content-length': '0', ...a.headers });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a batch is POSTed to /v1/traces with its content type and the configured headers', async () => {
  const r = await receiver([]);
  const sink = httpTraceSink(r.url, { 'x-api-key': 'k1' });
  const bytes = Buffer.from([0x0a, 0x02, 0x01, 0x02]);
  sink.export(bytes, 1);
  await until(() => r.seen.length === 1);
  assert.equal(r.seen[0].path, '/v1/traces');
  assert.equal(r.seen[0].headers['content-type'], 'application/x-protobuf');
  assert.equal(r.seen[0].headers['x-api-key'], 'k1');
  assert.deepEqual(r.seen[0].body, bytes);
  await sink.shutdown();
  await r.close();
});

test('a 503 with Retry-After is sent again with the same bytes; a 400 is not retried', async () => {
  const r = await receiver([{ status: 503, headers: { 'retry-after': '0' } }, { status: 200 }, { status: 400 }]);
  const sink = httpTraceSink(r.url, {});
  const first = Buffer.from('first batch');
  sink.export(first, 1);
  await until(() => r.seen.length === 2);
  assert.deepEqual(r.seen[1].body, first);
  const second = Buffer.from('second batch');
  sink.export(second, 1);
  await until(() => r.seen.length === 3);
  // Give a wrong retry the time it would take (Retry-After absent: >= 0.8 s backoff).
  await new Promise((res) => setTimeout(res, 1200));
  assert.equal(r.seen.length, 3);
  await sink.shutdown();
  await r.close();
});

test('shutdown sends the batches handed over before it', async () => {
  const r = await receiver([]);
  const sink = httpTraceSink(r.url, {});
  sink.export(Buffer.from('last'), 1);
  await sink.shutdown();
  assert.equal(r.seen.length, 1);
  assert.equal(r.seen[0].body.toString(), 'last');
  await r.close();
});

test('Retry-After: seconds, an HTTP date, nothing', () => {
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs(undefined), undefined);
  assert.equal(retryAfterMs('soon'), undefined);
  const d = retryAfterMs(new Date(Date.now() + 5000).toUTCString());
  assert.ok(d !== undefined && d > 3000 && d <= 5000, String(d));
});
