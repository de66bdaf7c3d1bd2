// Log output as it runs in production: batched (RAMPART_LOG_BUFFER unset, unlike the other
// tests), flushed on a 200 ms timer and at exit. No line may be lost, reordered or held back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend } from '../helpers/backend.js';
import { startGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

const config = (origin: string) => ({
  version: 3,
  host: [origin],
  endpoints: [{ endpoint: '/a/{id}', backend: [{ url_pattern: '/a/{id}' }] }],
});

const accessPaths = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.includes('"msg":"access"'))
    .map((l) => JSON.parse(l) as { path: string; status: number; method: string });

test('batched log: every access line reaches stdout at exit, whole and in request order, after the start-up lines', async () => {
  const be = await startBackend();
  const gw = await startGateway(config(be.origin), { env: { RAMPART_LOG_BUFFER: '' } });
  try {
    // 400 lines of ~150 bytes: several 8 KiB batches plus a partial one that only exit flushes.
    const n = 400;
    for (let i = 0; i < n; i++) assert.equal((await http(gw.port, 'GET', `/a/${i}`)).status, 200);
    assert.equal(await gw.stop('SIGTERM'), 0);
    const out = gw.output();
    const lines = accessPaths(out);
    assert.deepEqual(
      lines.map((l) => l.path),
      Array.from({ length: n }, (_, i) => `/a/${i}`),
    );
    assert.ok(lines.every((l) => l.status === 200 && l.method === 'GET'));
    assert.ok(out.indexOf('rampart listening') < out.indexOf('"msg":"access"'), 'start-up line after an access line');
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});

test('batched log: a lone access line is written within the flush interval, without waiting for a full batch or exit', async () => {
  const be = await startBackend();
  const gw = await startGateway(config(be.origin), { env: { RAMPART_LOG_BUFFER: '' } });
  try {
    assert.equal((await http(gw.port, 'GET', '/a/lone')).status, 200);
    const deadline = Date.now() + 2000;
    while (accessPaths(gw.output()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(
      accessPaths(gw.output()).map((l) => l.path),
      ['/a/lone'],
    );
    assert.equal(gw.proc.exitCode, null, 'the gateway is still running');
  } finally {
    await gw.stop('SIGKILL');
    await be.close();
  }
});
