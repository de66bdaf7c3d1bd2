// upstream-pools.ts loads undici's Pool by its file path (start-up time: the index loads every
// dispatcher). This pins that the path still exists and is the very class the index exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as undici from 'undici';
import { Pool } from '../../src/proxy/upstream-pools.js';

test("undici's Pool loaded by path is the class undici exports", () => {
  assert.equal(Pool, undici.Pool);
  const p = new Pool('http://127.0.0.1:9', { connections: 1 });
  assert.equal(typeof p.dispatch, 'function');
  return p.close();
});

// upstream-exchange.ts turns upstream header names into strings with undici's own helper, loaded
// by path too: pin that the path and the function still exist and lower-case known and unknown names.
test("undici's headerNameToString, loaded by path, lower-cases header names", async () => {
  const { default: util } = await import('undici/lib/core/util.js');
  assert.equal(util.headerNameToString(Buffer.from('Content-Type')), 'content-type');
  assert.equal(util.headerNameToString(Buffer.from('X-Custom-Thing')), 'x-custom-thing');
  assert.equal(util.headerNameToString(Buffer.from('SERVER')), 'server');
});

// connection-timing.ts wraps undici's connector, loaded by path, and relies on its function
// returning the socket it opens.
test("undici's buildConnector, loaded by path, returns the socket it opens", async () => {
  const { default: buildConnector } = await import('undici/lib/core/connect.js');
  const connect = buildConnector({ timeout: 1000 });
  const { createServer } = await import('node:net');
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = String((server.address() as { port: number }).port);
  const got = await new Promise<unknown>((resolve, reject) => {
    const returned = connect({ hostname: '127.0.0.1', protocol: 'http:', port }, (err, socket) => {
      if (err) return reject(err);
      resolve(returned === (socket as unknown));
      socket?.destroy();
    }) as unknown;
  });
  assert.equal(got, true);
  await new Promise<void>((r) => server.close(() => r()));
});
