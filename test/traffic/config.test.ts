// Traffic-control configs that would not do what they say are refused at startup, each with the
// JSON pointer of the namespace (KrakenD logs and runs without the limit, or ignores fields).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, writeConfig } from '../helpers/gateway.js';

const host = ['http://127.0.0.1:9'];

function check(config: object): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'check', '-c', writeConfig(config)], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

function endpoint(extra: object, path = '/a', backendExtra?: object): object {
  return { version: 3, host, endpoints: [{ endpoint: path, backend: [{ url_pattern: '/x', extra_config: backendExtra }], extra_config: extra }] };
}

const RL = '/endpoints/0/extra_config/qos~1ratelimit~1router';

const cases: [string, object, RegExp][] = [
  [
    'an unknown strategy',
    endpoint({ 'qos/ratelimit/router': { client_max_rate: 1, strategy: 'cookie' } }),
    new RegExp(`${RL}: strategy "cookie" is not one of ip, header, param, claim`),
  ],
  [
    'a client rate without strategy',
    endpoint({ 'qos/ratelimit/router': { client_max_rate: 1 } }),
    new RegExp(`${RL}: a client limit needs "strategy" \\(ip, header, param, claim\\): without one KrakenD silently applies no per-client limit`),
  ],
  [
    'a header strategy without key',
    endpoint({ 'qos/ratelimit/router': { client_max_rate: 1, strategy: 'header' } }),
    new RegExp(`${RL}: strategy "header" needs "key"`),
  ],
  ['both rates 0', endpoint({ 'qos/ratelimit/router': { max_rate: 0, client_max_rate: 0 } }), new RegExp(`${RL}: max_rate and client_max_rate are both 0`)],
  ['no rate at all', endpoint({ 'qos/ratelimit/router': { every: '1s' } }), new RegExp(`${RL}: must have required property 'max_rate'`)],
  [
    'an unknown field',
    endpoint({ 'qos/ratelimit/router': { max_rate: 1, max_rates: 2 } }),
    new RegExp(`${RL}/max_rates: unknown field "max_rates" \\(did you mean "max_rate"\\?\\)`),
  ],
  [
    'a param strategy on a missing placeholder',
    endpoint({ 'qos/ratelimit/router': { client_max_rate: 1, strategy: 'param', key: 'id' } }),
    /strategy "param": the endpoint has no \{id\} placeholder/,
  ],
  [
    'a claim strategy without auth/validator',
    endpoint({ 'qos/ratelimit/router': { client_max_rate: 1, strategy: 'claim', key: 'sub' } }),
    /strategy "claim" reads the claims of a validated token: add "auth\/validator"/,
  ],
  [
    'a claim strategy at service level',
    {
      version: 3,
      host,
      extra_config: { 'qos/ratelimit/service': { client_max_rate: 1, strategy: 'claim', key: 'sub' } },
      endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/x' }] }],
    },
    /\/extra_config\/qos~1ratelimit~1service: strategy "claim" is not available at service level/,
  ],
  [
    'an undeclared Redis pool',
    endpoint({ 'qos/ratelimit/router': { max_rate: 1, connection_name: 'nope' } }),
    /no Redis connection pool or cluster named "nope"/,
  ],
  [
    'a /redis limit without a connection',
    endpoint({ 'qos/ratelimit/router/redis': { max_rate: 1 } }),
    /qos~1ratelimit~1router~1redis: must have required property 'connection_name'/,
  ],
  [
    'a malformed Redis address',
    {
      version: 3,
      host,
      extra_config: { redis: { connection_pools: [{ name: 'p', address: 'localhost' }] } },
      endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/x' }] }],
    },
    /\/extra_config\/redis\/connection_pools\/0\/address: address "localhost" must be host:port/,
  ],
  [
    'Redis clusters: an empty list',
    {
      version: 3,
      host,
      extra_config: { redis: { connection_pools: [{ name: 'p', address: 'h:1' }], clusters: [] } },
      endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/x' }] }],
    },
    /\/extra_config\/redis\/clusters: must NOT have fewer than 1 items/,
  ],
  [
    'a policy tier that does not type-check (an unknown variable)',
    endpoint({ 'qos/ratelimit/tiered': { tier_key: 'X-Plan', tiers: [{ tier_value: 'x', tier_value_as: 'policy', ratelimit: { max_rate: 1 } }] } }),
    /qos~1ratelimit~1tiered\/tiers\/0\/tier_value: expression does not type-check/,
  ],
  [
    'a tier after the catch-all',
    endpoint({
      'qos/ratelimit/tiered': {
        tier_key: 'X-Plan',
        tiers: [
          { tier_value_as: '*', ratelimit: { max_rate: 1 } },
          { tier_value: 'gold', ratelimit: { max_rate: 2 } },
        ],
      },
    }),
    /tiers\/1: comes after the "\*" tier and would never match/,
  ],
  [
    'a tier_claim without auth/validator',
    endpoint({ 'qos/ratelimit/tiered': { tier_claim: 'plan', tiers: [{ tier_value: 'x', ratelimit: { max_rate: 1 } }] } }),
    /tier_claim reads the claims of a validated token/,
  ],
  [
    'a quota without client identity',
    endpoint({ 'qos/ratelimit/tiered': { tier_key: 'X-Plan', tiers: [{ tier_value: 'x', quota: { max: 10, every: '24h' } }] } }),
    /tiers\/0\/quota: a client limit needs "strategy"/,
  ],
  ['a proxy limit of 0', endpoint({}, '/a', { 'qos/ratelimit/proxy': { max_rate: 0 } }), /qos~1ratelimit~1proxy: max_rate must be above 0/],
  [
    'an all-zero circuit breaker',
    endpoint({}, '/a', { 'qos/circuit-breaker': { interval: 0, timeout: 0, max_errors: 0 } }),
    /qos~1circuit-breaker: interval, timeout and max_errors are all 0/,
  ],
  [
    'both breakers on one backend',
    endpoint({}, '/a', {
      'qos/circuit-breaker': { interval: 1, timeout: 1, max_errors: 1 },
      'qos/circuit-breaker/http': { interval: 1, timeout: 1, max_errors: 1, valid_status_codes: [200] },
    }),
    /use either qos\/circuit-breaker or qos\/circuit-breaker\/http/,
  ],
  ['a zero backend timeout', endpoint({}, '/a', { 'qos/backend-timeout': { timeout: '0s' } }), /qos~1backend-timeout: timeout must be above 0/],
  [
    'a bad server limit',
    { version: 3, host, extra_config: { 'qos/server-limits': { max_connections: 0 } }, endpoints: [{ endpoint: '/a', backend: [{ url_pattern: '/x' }] }] },
    /qos~1server-limits\/max_connections: must be >= 1/,
  ],
];

for (const [name, config, expected] of cases) {
  test(`refused at startup: ${name}`, () => {
    const r = check(config);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, expected);
  });
}

test('accepted: every traffic namespace in a valid combination (KrakenD field names, strategy case-insensitive)', () => {
  const r = check({
    version: 3,
    host,
    extra_config: {
      'qos/ratelimit/service': { max_rate: 1000, client_max_rate: 10, strategy: 'IP' },
      'qos/server-limits': { max_connections: 100, max_header_count: 50 },
    },
    endpoints: [
      {
        endpoint: '/a/{id}',
        backend: [
          {
            url_pattern: '/x',
            extra_config: {
              'qos/ratelimit/proxy': { max_rate: 10, capacity: 10 },
              'qos/circuit-breaker': { interval: 60, timeout: 10, max_errors: 1, name: 'cb', log_status_change: true },
              'qos/backend-timeout': { timeout: '500ms' },
            },
          },
        ],
        extra_config: {
          'qos/ratelimit/router': {
            max_rate: 50,
            every: '10m',
            capacity: 50,
            client_max_rate: 5,
            client_capacity: 5,
            strategy: 'param',
            key: 'id',
            num_shards: 2048,
            cleanup_period: '1m',
            cleanup_threads: 1,
          },
          'qos/ratelimit/tiered': {
            tier_key: 'X-Plan',
            tiers: [
              { tier_value: 'gold', ratelimit: { client_max_rate: 10, strategy: 'header', key: 'X-Key' }, quota: { max: 100000, every: '24h' } },
              { tier_value_as: '*', ratelimit: { max_rate: 1 } },
            ],
          },
        },
      },
    ],
  });
  assert.equal(r.code, 0, r.out);
});
