// The limiter arithmetic with an explicit clock (no sleeping): GCRA refill and burst, quota
// windows, cluster lease shares, the memory bound, and how clients are grouped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipBucket } from '../../src/ratelimit/client-key.js';
import { MemoryLimiter } from '../../src/ratelimit/memory-limiter.js';
import { ratePolicy, windowPolicy } from '../../src/ratelimit/policy.js';
import { compileRejection } from '../../src/ratelimit/rejection.js';

test('rate: a full bucket of `capacity`, one token per interval, never more than capacity after a long idle time', () => {
  const m = new MemoryLimiter(ratePolicy(1, 1000, 3), 10);
  const t0 = 1_000_000;
  assert.deepEqual(
    [1, 2, 3].map(() => m.acquire('k', 1, t0)),
    [1, 1, 1],
  );
  assert.equal(m.acquire('k', 1, t0), -1000, 'empty: retry in one interval');
  assert.equal(m.acquire('k', 1, t0 + 400), -600);
  assert.equal(m.acquire('k', 1, t0 + 1000), 1);
  // Idle for a long time: back to exactly `capacity` (no KrakenD-style double burst).
  const later = t0 + 60_000;
  assert.equal(m.acquire('k', 10, later), 3);
  assert.ok(m.acquire('k', 1, later) < 0);
  m.close();
});

test('rate: idle clients cost no memory (a full bucket is no state)', () => {
  const m = new MemoryLimiter(ratePolicy(10, 1000, 10), 1000);
  for (let i = 0; i < 100; i++) m.acquire(`c${i}`, 1, 0);
  assert.equal(m.size, 100);
  assert.equal(m.sweep(1000), 100);
  assert.equal(m.size, 0);
  m.close();
});

test('window: a quota resets at the window boundary; refusals say when', () => {
  const m = new MemoryLimiter(windowPolicy(2, 1000), 10);
  assert.equal(m.acquire('k', 1, 5000), 1);
  assert.equal(m.acquire('k', 1, 5100), 1);
  assert.equal(m.acquire('k', 1, 5900), -100);
  assert.equal(m.acquire('k', 1, 6000), 1, 'a new window');
  m.close();
});

test('cluster leases: a worker gets at most 1/divisor of what is left, at least 1; unused units come back', () => {
  const m = new MemoryLimiter(ratePolicy(200, 3_600_000, 200), 10);
  assert.equal(m.acquire('', 256, 0, 8), 25);
  assert.equal(m.acquire('', 256, 0, 8), 21);
  let total = 46;
  for (let i = 0; i < 500; i++) {
    const g = m.acquire('', 256, 0, 8);
    if (g < 0) break;
    total += g;
  }
  assert.equal(total, 200, 'leases never hand out more than the bucket holds');
  m.release('', 5, 0, 0);
  assert.equal(m.acquire('', 256, 0, 1), 5);
  m.close();
});

test('memory bound: a flood of distinct keys never grows the map past maxKeys', () => {
  const evictions: number[] = [];
  const m = new MemoryLimiter(ratePolicy(1, 3_600_000, 1), 1000, 60_000, (n) => evictions.push(n));
  for (let i = 0; i < 50_000; i++) {
    m.acquire(`k${i}`, 1, i);
    assert.ok(m.size <= 1000);
  }
  assert.ok(evictions.length > 0);
  assert.equal(m.evicted, 50_000 - m.size);
  // The newest keys are still tracked (refused), the oldest were forgotten (admitted again).
  assert.ok(m.acquire('k49999', 1, 50_000) < 0);
  assert.equal(m.acquire('k0', 1, 50_000), 1);
  m.close();
});

test('ip strategy: IPv4 per address, IPv6 per /64', () => {
  assert.equal(ipBucket('203.0.113.9'), '203.0.113.9');
  assert.equal(ipBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(ipBucket('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(ipBucket('2001:0db8:0001:0002:ffff::'), '2001:db8:1:2::/64');
  assert.equal(ipBucket('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(ipBucket('::1'), '0:0:0:0::/64');
  assert.equal(ipBucket('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(ipBucket('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
});

test('rejections: Retry-After in whole seconds (at least 1), RateLimit fields, memoised', () => {
  const reject = compileRejection(429, 'client', ratePolicy(5, 600_000, 5));
  const r = reject(119_001);
  assert.equal(r.status, 429);
  assert.deepEqual(r.headers, ['retry-after', '120', 'ratelimit-policy', '"client";q=5;w=600', 'ratelimit', '"client";r=0;t=120']);
  assert.equal(reject(119_500), r, 'the same frozen object for the same second');
  assert.ok(Object.isFrozen(r));
  assert.equal(reject(1).headers![1], '1');
});
