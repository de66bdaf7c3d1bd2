// The pieces of the sharded rate-limit coordinator, on a real Unix socket: the shard-count rule,
// the key -> shard hash, the frame codec, and a worker's ShardSource leasing from a real shard
// server (grants, refusals, returns, batching, and failing fast when the shard is gone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ratePolicy } from '../../src/ratelimit/policy.js';
import { ShardSource, shardOf } from '../../src/ratelimit/shard-client.js';
import { startShardServer } from '../../src/ratelimit/shard-server.js';
import { shardCount } from '../../src/ratelimit/shard-supervisor.js';
import { FrameReader, FrameWriter, MAX_FRAME, TAKES } from '../../src/ratelimit/shard-wire.js';

test('shard count: ceil(workers / 16) unless RAMPART_LIMIT_SHARDS says otherwise', () => {
  assert.deepEqual(
    [1, 2, 16, 17, 32, 63, 64].map((w) => shardCount(w, {})),
    [1, 1, 1, 2, 2, 4, 4],
  );
  assert.equal(shardCount(2, { RAMPART_LIMIT_SHARDS: '3' }), 3);
  for (const bad of ['0', '65', '1.5', 'two', '-1'])
    assert.throws(() => shardCount(2, { RAMPART_LIMIT_SHARDS: bad }), /RAMPART_LIMIT_SHARDS must be a whole number from 1 to 64/);
});

test('keys spread evenly over shards, and the limiter id is part of the hash', () => {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 20_000; i++) counts[shardOf('GET /x client', `10.0.${i >> 8}.${i & 255}`, 4)]++;
  for (const c of counts) assert.ok(c > 4_000 && c < 6_000, `uneven: ${counts}`);
  assert.equal(shardOf('a', 'k', 1), 0);
  let differs = 0;
  for (let i = 0; i < 100; i++) if (shardOf('id-1', `k${i}`, 8) !== shardOf('id-2', `k${i}`, 8)) differs++;
  assert.ok(differs > 50, `the id barely matters: ${differs}/100`);
  assert.equal(shardOf('id', 'key', 8), shardOf('id', 'key', 8)); // stable
});

test('frames survive any split of the byte stream; oversized or empty lengths are refused', () => {
  const w = new FrameWriter();
  for (let f = 0; f < 3; f++) {
    const at = w.begin(TAKES);
    w.u32(f);
    w.u32(1);
    w.u32(7 + f);
    w.u16(256);
    w.str(`clé-${f}`);
    w.end(at);
  }
  const bytes = w.take();
  const seen: string[] = [];
  const r = new FrameReader((type, c) => seen.push(`${type}:${c.u32()}:${c.u32()}:${c.u32()}:${c.u16()}:${c.str()}`));
  for (let i = 0; i < bytes.length; i++) assert.ok(r.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(seen, ['2:0:1:7:256:clé-0', '2:1:1:8:256:clé-1', '2:2:1:9:256:clé-2']);
  const huge = Buffer.alloc(5);
  huge.writeUInt32LE(MAX_FRAME + 1, 0);
  assert.equal(new FrameReader(() => {}).push(huge), false);
  assert.equal(new FrameReader(() => {}).push(Buffer.alloc(5)), false);
});

test('a ShardSource leases from a real shard server: grants, refusals, returns; a lost shard fails fast', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'rampart-shard-test-')), 's.sock');
  let server = await startShardServer(path);
  const policy = ratePolicy(10, 3_600_000, 10);
  const src = new ShardSource('unit', policy, 1000, [path]);
  // One connected worker: a lease is at most 1/4 of what is available (10 / 4 -> 2).
  const first = await src.lease('a', 256);
  assert.deepEqual(first, { g: 2, w: 0 });
  // 100 leases asked for in one turn travel together and are all answered.
  const many = await Promise.all(Array.from({ length: 100 }, (_, i) => src.lease(`k${i}`, 256)));
  assert.ok(many.every((m) => m.g === 2));
  assert.equal(server.granted(), 101);
  let total = 2;
  for (;;) {
    const m = await src.lease('a', 256);
    if (m.g < 0) {
      assert.ok(-m.g > 60_000, `retry after ${-m.g} ms`); // 1 unit per 6 minutes
      break;
    }
    total += m.g;
  }
  assert.equal(total, 10, 'never more than the bucket');
  src.giveBack(['a'], [3], [0]);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok((await src.lease('a', 256)).g >= 1, 'returned units can be leased again');
  // The shard goes away: pending and new leases fail at once (no hang), until it is back.
  await server.close();
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  await assert.rejects(src.lease('b', 256), /rate-limit shard/);
  assert.ok(Date.now() - t0 < 500, 'a lease waited on a dead shard');
  server = await startShardServer(path);
  const end = Date.now() + 3000;
  let back = false;
  while (!back && Date.now() < end) {
    back = await src.lease('b', 256).then(
      (m) => m.g >= 1,
      () => false,
    );
    if (!back) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(back, 'the link did not reconnect to the restarted shard');
  await server.close();
});
