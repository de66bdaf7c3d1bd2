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
