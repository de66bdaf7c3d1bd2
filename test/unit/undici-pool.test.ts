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
