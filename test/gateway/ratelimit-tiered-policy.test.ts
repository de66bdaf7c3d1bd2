// qos/ratelimit/tiered with tier_value_as "policy" (issue #16 item 6), over real sockets: the tier
// header's value tested by policy expressions on the policy engine, tiers tried in order (the
// first match applies, literal and policy tiers mixed), no match → 403, and policy texts that
// must stop startup with their pointer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startBackend, type TestBackend } from '../helpers/backend.js';
import { BIN, startGateway, writeConfig, type RunningGateway } from '../helpers/gateway.js';
import { http } from '../helpers/http.js';

let be: TestBackend;
let gw: RunningGateway;
const limit = (n: number) => ({ max_rate: n, capacity: n, every: '1h' });

function tiered(tiers: object[]) {
  return {
    version: 3,
    endpoints: [
      { endpoint: '/t', extra_config: { 'qos/ratelimit/tiered': { tier_key: 'X-Plan', tiers } }, backend: [{ host: [be.origin], url_pattern: '/' }] },
    ],
  };
}

before(async () => {
  be = await startBackend();
  gw = await startGateway(
    tiered([
      { tier_value: "value.endsWith('-vip')", tier_value_as: 'policy', ratelimit: limit(100) },
      { tier_value: "value.matches('^User-[a-zA-Z]+$')", tier_value_as: 'policy', ratelimit: limit(2) },
      { tier_value: 'gold', ratelimit: limit(100) },
      { tier_value: "value.startsWith('gold') && !isEmpty(value)", tier_value_as: 'policy', ratelimit: limit(1) },
    ]),
  );
});

after(async () => {
  await gw?.stop();
  await be?.close();
});

const statuses = async (plan: string | undefined, n: number): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await http(gw.port, 'GET', '/t', plan === undefined ? {} : { 'x-plan': plan })).status);
  return out;
};

test('a policy tier applies its own limit to the values its expression accepts', async () => {
  assert.deepEqual(await statuses('User-abc', 3), [200, 200, 429]);
  // Another value of the same tier shares that tier's (endpoint-wide) limit.
  assert.deepEqual(await statuses('User-xyz', 1), [429]);
});

test('tiers are tried in order: the first match applies (policy before policy, literal before policy)', async () => {
  // Matches tiers 0 and 1: tier 0's limit (100) applies, not tier 1's spent one.
  assert.deepEqual(await statuses('User-vip', 3), [200, 200, 200]);
  // "gold" is the literal tier 2 (100), before the policy tier 3 (1) that also accepts it.
  assert.deepEqual(await statuses('gold', 3), [200, 200, 200]);
  assert.deepEqual(await statuses('gold-plus', 2), [200, 429]);
});

test('a value no tier accepts, and a request without the header, are refused with 403', async () => {
  assert.deepEqual(await statuses('User-123', 1), [403]);
  assert.deepEqual(await statuses(undefined, 1), [403]);
});

test('policy texts that cannot run stop startup with the pointer of their tier_value', () => {
  const cases: [string, RegExp][] = [
    ["req_path == '/t'", /qos~1ratelimit~1tiered\/tiers\/0\/tier_value: .*reads only `value`/],
    ["value.matches('(a)\\\\1')", /qos~1ratelimit~1tiered\/tiers\/0\/tier_value: matches\(\)/],
    ['value + 1', /qos~1ratelimit~1tiered\/tiers\/0\/tier_value: expression does not type-check/],
    ["hasHeader('x')", /qos~1ratelimit~1tiered\/tiers\/0\/tier_value: hasHeader\(\) is not in/],
    ['', /qos~1ratelimit~1tiered\/tiers\/0\/tier_value: expression must be a non-empty string/],
  ];
  for (const [text, want] of cases) {
    const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig(tiered([{ tier_value: text, tier_value_as: 'policy', ratelimit: limit(1) }]))], {
      encoding: 'utf8',
    });
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.match(out, want);
    assert.doesNotMatch(out, /\n\s+at /);
  }
});
