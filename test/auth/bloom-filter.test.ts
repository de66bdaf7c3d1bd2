// The revoker's sliding bloom filter: KrakenD's sizing, no false negatives, a measured
// false-positive rate near P, and the window: an entry stays revoked for two rotations (2·TTL to
// 3·TTL after it was added) and is gone after the third.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bloomSize, SlidingBloom } from '../../src/components/auth/revoker/bloom-filter.js';
import { entriesOf } from '../../src/components/auth/revoker/component.js';

test('sizing follows m = -N ln P / (ln 2)^2, k = ln 2 m / N', () => {
  const { m, k } = bloomSize(10_000_000, 1e-7);
  assert.ok(Math.abs(m / 8 / 2 ** 20 - 40) < 1, `${m / 8 / 2 ** 20} MiB`); // ≈ 42 MB per filter
  assert.equal(k, 24);
  assert.throws(() => new SlidingBloom(1e10, 1e-9, 0), /limit/);
});

test('no false negatives, and a false-positive rate close to P', () => {
  const f = new SlidingBloom(10_000, 0.01, 0);
  for (let i = 0; i < 10_000; i++) f.add(`jti-in-${i}`);
  for (let i = 0; i < 10_000; i++) assert.ok(f.has(`jti-in-${i}`));
  let fp = 0;
  for (let i = 0; i < 20_000; i++) if (f.has(`jti-out-${i}`)) fp++;
  assert.ok(fp / 20_000 < 0.02, `false-positive rate ${fp / 20_000}`);
});

test('an entry survives two rotations and is gone after the third', () => {
  const f = new SlidingBloom(100, 1e-6, 0);
  f.add('jti-a');
  f.rotate();
  assert.ok(f.has('jti-a'));
  f.rotate();
  assert.ok(f.has('jti-a'));
  f.rotate();
  assert.ok(!f.has('jti-a'));
});

test('revocable entries: string claims, and each string of an array claim', () => {
  assert.deepEqual(entriesOf({ jti: 'x', aud: ['a', 'b', 3], sub: 7 }, ['jti', 'aud', 'sub']), ['jti-x', 'aud-a', 'aud-b']);
});
